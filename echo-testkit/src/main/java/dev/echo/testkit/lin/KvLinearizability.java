package dev.echo.testkit.lin;

import dev.echo.testkit.kv.KvCommand;
import dev.echo.testkit.sim.History;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Checks that a key-value history is linearizable (Herlihy &amp; Wing) with the Wing–Gong search ({@link WingGong}),
 * partitioned by key (keys are independent registers). An operation whose outcome is unknown accepts any output.
 * Stateless; safe to call from any thread.
 */
public final class KvLinearizability {
    private KvLinearizability() {}

    /** Upper bound on search steps per key before the check gives up (reported as a failure). */
    public static final long DEFAULT_BUDGET = 20_000_000;

    /** Returns a description of the first non-linearizable key, or empty when every key is linearizable. */
    public static Optional<String> check(List<History.Operation> operations) {
        return check(operations, DEFAULT_BUDGET);
    }

    /** As {@link #check(List)} with an explicit search budget per key. */
    public static Optional<String> check(List<History.Operation> operations, long budget) {
        TreeMap<String, List<History.Operation>> byKey = new TreeMap<>();
        for (History.Operation op : operations) {
            if (op.unknown() && op.command().kind() == KvCommand.Kind.GET) {
                continue; // a read with no answer has no effect
            }
            byKey.computeIfAbsent(op.command().key(), k -> new ArrayList<>()).add(op);
        }
        for (var key : byKey.entrySet()) {
            WingGong.Result result = search(key.getValue(), budget);
            if (result != WingGong.Result.LINEARIZABLE) {
                return Optional.of("key " + key.getKey() + ": "
                        + (result == WingGong.Result.BUDGET_EXCEEDED
                                ? "search budget exceeded"
                                : "no linearization of " + key.getValue().size() + " operations"));
            }
        }
        return Optional.empty();
    }

    /** Applies {@code op} to register value {@code state}; returns the new state, or null if the output contradicts it. */
    static String step(String state, History.Operation op) {
        return step(state, op.command(), op.output());
    }

    /** As {@link #step(String, History.Operation)}, for a command and its output (null: unknown). */
    static String step(String state, KvCommand command, String output) {
        switch (command.kind()) {
            case PUT:
                return command.value();
            case GET:
                return output == null || output.equals(state) ? state : null;
            case CAS:
                boolean swaps = state.equals(command.expected());
                if (output != null && !output.equals(swaps ? "1" : "0")) {
                    return null;
                }
                return swaps ? command.value() : state;
            default:
                throw new IllegalStateException("unknown kind " + command.kind());
        }
    }

    private static WingGong.Result search(List<History.Operation> ops, long budget) {
        long[] invoked = new long[ops.size()];
        long[] returned = new long[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            invoked[i] = ops.get(i).invokedMicros();
            returned[i] = ops.get(i).returnedMicros();
        }
        return new WingGong<>(invoked, returned, "", (state, op) -> step(state, ops.get(op)), budget).run();
    }
}
