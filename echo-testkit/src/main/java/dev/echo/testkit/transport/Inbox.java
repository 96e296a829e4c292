package dev.echo.testkit.transport;

import dev.echo.core.codec.Envelope;
import dev.echo.core.transport.TransportListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A {@link TransportListener} that records what arrived, with a bounded wait for conditions on real networks.
 *
 * <p>Thread-safe: transports call {@link #received} from their I/O threads while the test thread reads.
 */
public final class Inbox implements TransportListener {
    private final List<Envelope> received = new CopyOnWriteArrayList<>();

    @Override
    public void received(Envelope envelope) {
        received.add(envelope);
    }

    /** Everything received so far, in arrival order. */
    public List<Envelope> all() {
        return new ArrayList<>(received);
    }

    /** Whether {@code envelope} has arrived. */
    public boolean contains(Envelope envelope) {
        return received.contains(envelope);
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes. Real sockets give no event to wait on, so
     * this is the one place the suite polls; it returns as soon as the condition holds.
     *
     * @return whether the condition held in time
     */
    public static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
