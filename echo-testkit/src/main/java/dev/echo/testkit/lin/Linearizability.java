package dev.echo.testkit.lin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that a history of operations on any state machine is linearizable (Herlihy &amp; Wing) against a sequential
 * {@link Model}, part by part ({@link Model#partition}), with the Wing–Gong search. Stateless; safe to call from any
 * thread.
 */
public final class Linearizability {
    /** Upper bound on search steps per part before the check gives up (reported as a failure). */
    public static final long DEFAULT_BUDGET = 20_000_000;

    private Linearizability() {}

    /**
     * One operation as a client saw it.
     *
     * @param client who asked
     * @param query whether it was a query (read) rather than a command
     * @param command the command or query's bytes
     * @param invokedMicros when it was asked
     * @param returnedMicros when it was answered, or {@link Long#MAX_VALUE} if the client never learned the outcome
     * @param output the answer, or null if unknown
     */
    public record Operation(
            int client, boolean query, byte[] command, long invokedMicros, long returnedMicros, byte[] output) {
        /** Whether the client never learned the outcome. */
        public boolean unknown() {
            return returnedMicros == Long.MAX_VALUE;
        }
    }

    /** Returns a description of the first part with no linearization, or empty when the whole history has one. */
    public static <S> Optional<String> check(List<Operation> operations, Model<S> model) {
        return check(operations, model, DEFAULT_BUDGET);
    }

    /** As {@link #check(List, Model)} with an explicit search budget per part. */
    public static <S> Optional<String> check(List<Operation> operations, Model<S> model, long budget) {
        Map<Object, List<Operation>> parts = new LinkedHashMap<>();
        for (Operation op : operations) {
            if (op.query() && op.unknown()) {
                continue; // a read with no answer has no effect
            }
            parts.computeIfAbsent(model.partition(op.command()), p -> new ArrayList<>())
                    .add(op);
        }
        for (Map.Entry<Object, List<Operation>> part : parts.entrySet()) {
            List<Operation> ops = part.getValue();
            // An operation with no known outcome may also never take effect, so a linearization without some of them
            // is one of the whole history: search first without those no answer reveals, and the full history only
            // if that fails.
            List<Operation> known = ops.stream().filter(op -> !op.unknown()).toList();
            List<Operation> seen = ops.stream()
                    .filter(op -> !op.unknown() || revealed(op, known, model))
                    .toList();
            WingGong.Result result =
                    seen.size() < ops.size() && search(seen, model, budget) == WingGong.Result.LINEARIZABLE
                            ? WingGong.Result.LINEARIZABLE
                            : search(ops, model, budget);
            if (result != WingGong.Result.LINEARIZABLE) {
                return Optional.of("part " + part.getKey() + ": "
                        + (result == WingGong.Result.BUDGET_EXCEEDED
                                ? "search budget exceeded (" + ops.size() + " operations, "
                                        + (ops.size() - known.size()) + " with no known outcome)"
                                : "no linearization of " + ops.size() + " operations"));
            }
        }
        return Optional.empty();
    }

    private static boolean revealed(Operation unknown, List<Operation> known, Model<?> model) {
        for (Operation op : known) {
            if (model.reveals(op.command(), op.output(), unknown.command())) {
                return true;
            }
        }
        return false;
    }

    private static <S> WingGong.Result search(List<Operation> ops, Model<S> model, long budget) {
        long[] invoked = new long[ops.size()];
        long[] returned = new long[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            invoked[i] = ops.get(i).invokedMicros();
            returned[i] = ops.get(i).returnedMicros();
        }
        return new WingGong<>(
                        invoked, returned, model.initial(), (state, op) -> step(model, state, ops.get(op)), budget)
                .run();
    }

    private static <S> S step(Model<S> model, S state, Operation op) {
        if (op.query()) {
            return model.answers(state, op.command(), op.output()) ? state : null;
        }
        return model.apply(state, op.command(), op.output());
    }
}
