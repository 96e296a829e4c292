package dev.echo.testkit.sim;

import dev.echo.testkit.kv.KvCommand;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The client-visible history of a run: every operation with its invocation and response time and output, for the
 * linearizability check. An operation whose outcome is unknown (the client gave up) has response time
 * {@link Long#MAX_VALUE} and no output. Not thread-safe.
 */
public final class History {
    /**
     * One operation as the client saw it.
     *
     * @param client the client's index
     * @param command what it asked
     * @param invokedMicros simulated time of the first attempt
     * @param returnedMicros simulated time of the answer, or {@link Long#MAX_VALUE} when unknown
     * @param output the answer, or null when unknown
     */
    public record Operation(int client, KvCommand command, long invokedMicros, long returnedMicros, String output) {
        /** Whether the client never learned the outcome. */
        public boolean unknown() {
            return returnedMicros == Long.MAX_VALUE;
        }
    }

    private final List<Operation> operations = new ArrayList<>();

    void add(Operation operation) {
        operations.add(operation);
    }

    /** Every recorded operation, in the order answers arrived. */
    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }
}
