package dev.echo.testkit.sim;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What the simulated clients ask of the state machine, one request at a time per client: commands go through
 * {@code ReplicatedGroup.submit}, queries through the linearizable {@code ReplicatedGroup.read}.
 *
 * <p>Threading: called on the simulator's one thread. Draw every choice from {@code random}, never from another
 * source, so that a seed replays exactly.
 */
@FunctionalInterface
public interface ClientWorkload {
    /**
     * One request to the state machine.
     *
     * @param bytes the command or query, as the state machine reads it
     * @param query true for a query (a read that changes nothing), false for a command
     */
    record Request(byte[] bytes, boolean query) {
        /** Requires the bytes. */
        public Request {
            Objects.requireNonNull(bytes, "bytes");
        }

        /** A command, submitted to the log. */
        public static Request command(byte[] bytes) {
            return new Request(bytes, false);
        }

        /** A query, answered by a linearizable read. */
        public static Request query(byte[] bytes) {
            return new Request(bytes, true);
        }
    }

    /** Client {@code client}'s next request. */
    Request next(SplittableRandom random, int client);
}
