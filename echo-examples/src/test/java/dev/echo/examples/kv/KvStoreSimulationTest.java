package dev.echo.examples.kv;

import dev.echo.testkit.junit.SimulationTest;
import dev.echo.testkit.lin.Model;
import dev.echo.testkit.sim.ClientWorkload;
import dev.echo.testkit.sim.EchoSimulation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * echo-kv's {@link KvStore} under Echo's simulator: SET, INCR and GET over three keys, through crashes, partitions
 * and message faults, each history checked against a sequential model of one Redis string per key.
 */
class KvStoreSimulationTest {
    private static final EchoSimulation SIMULATION = EchoSimulation.of(KvStore::new)
            .members(3, 5)
            .workload(KvStoreSimulationTest::request)
            .check(new KvStoreModel());

    @SimulationTest(seeds = 20)
    void setIncrAndGetAreLinearizableThroughCrashesAndPartitions(long seed) {
        SIMULATION.assertPasses(seed);
    }

    private static ClientWorkload.Request request(SplittableRandom random, int client) {
        byte[] key = ("key" + random.nextInt(3)).getBytes(StandardCharsets.US_ASCII);
        int roll = random.nextInt(10);
        if (roll < 3) {
            byte[] value = Integer.toString(random.nextInt(100)).getBytes(StandardCharsets.US_ASCII);
            return ClientWorkload.Request.command(
                    KvOp.of(KvOp.Op.SET, key, value).encode());
        }
        if (roll < 6) {
            return ClientWorkload.Request.command(KvOp.of(KvOp.Op.INCR, key).encode());
        }
        return ClientWorkload.Request.query(KvOp.of(KvOp.Op.GET, key).encode());
    }

    /** One key's value, or none; a record so that the search can memoise it. */
    record Value(String text) {
        static final Value NONE = new Value(null);
    }

    /** Each key is a Redis string: SET replaces it and answers [1]; INCR adds one and answers [1][value]. */
    static final class KvStoreModel implements Model<Value> {
        @Override
        public Value initial() {
            return Value.NONE;
        }

        @Override
        public Value apply(Value state, byte[] command, byte[] output) {
            KvOp op = KvOp.decode(command);
            if (op.op() == KvOp.Op.SET) {
                return output == null || Arrays.equals(output, new byte[] {1})
                        ? new Value(new String(op.arguments().get(1), StandardCharsets.US_ASCII))
                        : null;
            }
            long next = (state.text() == null ? 0 : Long.parseLong(state.text())) + 1; // values are always numbers
            if (output != null
                    && (output[0] != 1 || ByteBuffer.wrap(output, 1, 8).getLong() != next)) {
                return null;
            }
            return new Value(Long.toString(next));
        }

        @Override
        public boolean answers(Value state, byte[] query, byte[] output) {
            ByteBuffer answer = ByteBuffer.wrap(output);
            boolean present = answer.get() == 1;
            byte[] bytes = new byte[answer.getInt()];
            answer.get(bytes);
            return state.text() == null
                    ? !present
                    : present && state.text().equals(new String(bytes, StandardCharsets.US_ASCII));
        }

        @Override
        public Object partition(byte[] commandOrQuery) {
            return new String(KvOp.decode(commandOrQuery).arguments().get(0), StandardCharsets.US_ASCII);
        }
    }
}
