package dev.echo.testkit.sim;

import dev.echo.core.protocol.Input;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The protocol simulator's multicasts (PROTOCOL.md §13): a random live member multicasts every few milliseconds, and
 * now and then flushes. Each payload names its sender's life and count ({@code n2/1/17}), which is what the
 * {@link dev.echo.testkit.check.VirtualSynchrony} checker reads. It draws from its own random stream, so runs without
 * multicast replay as before.
 *
 * <p>Not thread-safe: for the single-threaded simulator.
 */
final class MulticastWorkload {
    private final Simulation sim;
    private final SplittableRandom random;
    private long requests;
    private long count;

    MulticastWorkload(Simulation sim, SplittableRandom random) {
        this.sim = sim;
        this.random = random;
    }

    void start() {
        sim.schedule(random.nextLong(100_000), this::next);
    }

    private void next() {
        SimNode node = sim.randomAliveNode();
        if (node != null) {
            long id = ++requests;
            if (random.nextInt(20) == 0) {
                sim.input(node, new Input.Flush(id));
            } else {
                String payload = node.id() + "/" + node.incarnation() + "/" + ++count;
                sim.input(node, new Input.SendMulticast(id, payload.getBytes(StandardCharsets.UTF_8)));
            }
        }
        sim.schedule(sim.now() + 2_000 + random.nextLong(18_000), this::next);
    }
}
