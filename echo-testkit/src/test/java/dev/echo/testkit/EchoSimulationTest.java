package dev.echo.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.StateMachine;
import dev.echo.testkit.junit.SimulationTest;
import dev.echo.testkit.lin.Model;
import dev.echo.testkit.sim.ClientWorkload;
import dev.echo.testkit.sim.EchoSimulation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The testkit's API for an application's own state machine, on a counter: "inc" commands and "get" queries. */
class EchoSimulationTest {
    /** A counter; {@code readsAhead} makes its queries answer one more than it holds (a bug the model must see). */
    static final class Counter implements StateMachine {
        private final boolean readsAhead;
        private long value;

        Counter(boolean readsAhead) {
            this.readsAhead = readsAhead;
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            return encode(++value);
        }

        @Override
        public byte[] query(byte[] query) {
            return encode(readsAhead ? value + 1 : value);
        }

        @Override
        public Snapshot snapshot() {
            long captured = value;
            return out -> out.write(encode(captured));
        }

        @Override
        public void restore(InputStream in) throws IOException {
            value = ByteBuffer.wrap(in.readAllBytes()).getLong();
        }
    }

    /** The counter as a sequential model. */
    static final class CounterModel implements Model<Long> {
        @Override
        public Long initial() {
            return 0L;
        }

        @Override
        public Long apply(Long value, byte[] command, byte[] output) {
            long next = value + 1;
            return output == null || decode(output) == next ? next : null;
        }

        @Override
        public boolean answers(Long value, byte[] query, byte[] output) {
            return decode(output) == value;
        }
    }

    private static byte[] encode(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private static long decode(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }

    private static ClientWorkload.Request request(SplittableRandom random, int client) {
        return random.nextBoolean()
                ? ClientWorkload.Request.command(new byte[] {1})
                : ClientWorkload.Request.query(new byte[] {0});
    }

    private static EchoSimulation simulation(boolean readsAhead) {
        return EchoSimulation.of(() -> new Counter(readsAhead))
                .members(3, 3)
                .workload(EchoSimulationTest::request)
                .check(new CounterModel());
    }

    @SimulationTest(seeds = 5)
    void aCorrectCounterPasses(long seed) {
        simulation(false).assertPasses(seed);
    }

    @Test
    void aCounterThatReadsAheadIsCaughtWithItsSeed() {
        AssertionError caught =
                assertThrows(AssertionError.class, () -> simulation(true).assertPasses(1));
        assertTrue(caught.getMessage().contains("seed 1"), caught.getMessage());
        assertTrue(caught.getMessage().contains("linearizability"), caught.getMessage());
        assertTrue(caught.getMessage().contains("-Decho.sim.seed=1"), caught.getMessage());
    }

    @Test
    void aWorkloadIsRequired() {
        assertThrows(IllegalStateException.class, () -> EchoSimulation.of(() -> new Counter(false))
                .run(1));
        assertThrows(IllegalArgumentException.class, () -> EchoSimulation.of(() -> new Counter(false))
                .members(0, 9));
    }
}
