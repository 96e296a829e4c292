package dev.echo.examples.config;

import dev.echo.testkit.junit.SimulationTest;
import dev.echo.testkit.lin.Model;
import dev.echo.testkit.sim.ClientWorkload;
import dev.echo.testkit.sim.EchoSimulation;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * {@link ConfigMap} under Echo's simulator, as an application tests its own state machine: real nodes through
 * crashes, partitions and message faults, clients putting and reading a few keys, every history checked against a
 * sequential model of the map. Copy this class to test yours (docs/testing.md, "Test your own state machine").
 */
class ConfigMapSimulationTest {
    private static final EchoSimulation SIMULATION = EchoSimulation.of(ConfigMap::new)
            .members(3, 5)
            .workload(ConfigMapSimulationTest::request)
            .check(new ConfigMapModel());

    @SimulationTest(seeds = 20)
    void everyHistoryIsLinearizableThroughCrashesAndPartitions(long seed) {
        SIMULATION.assertPasses(seed);
    }

    /** Puts and reads over three keys, so clients contend. */
    private static ClientWorkload.Request request(SplittableRandom random, int client) {
        String key = "feature." + random.nextInt(3);
        if (random.nextInt(10) < 6) {
            return ClientWorkload.Request.command(ConfigMap.put(key, "c" + client + "-" + random.nextInt(1000)));
        }
        return ClientWorkload.Request.query(ConfigMap.get(key));
    }

    /** The map as a sequential model: one register per key; a put answers the previous value, a get the current. */
    static final class ConfigMapModel implements Model<String> {
        @Override
        public String initial() {
            return "";
        }

        @Override
        public String apply(String value, byte[] command, byte[] output) {
            if (output != null && !value.equals(text(output))) {
                return null; // a put answers the value it replaced
            }
            return decode(command)[1];
        }

        @Override
        public boolean answers(String value, byte[] query, byte[] output) {
            return value.equals(text(output));
        }

        @Override
        public Object partition(byte[] commandOrQuery) {
            return decode(commandOrQuery)[0];
        }

        private static String text(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** ConfigMap's encoding: key, then value, each as modified UTF-8. */
        private static String[] decode(byte[] bytes) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                return new String[] {in.readUTF(), in.readUTF()};
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            }
        }
    }
}
