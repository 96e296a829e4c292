package dev.echo.testkit.lin;

/**
 * A sequential specification of a state machine: what one command does to a state and answers, and what a query
 * answers. The linearizability check ({@link Linearizability}) searches for an order of a history's operations that
 * this model accepts.
 *
 * <p>Keep the state small and immutable, with value equality ({@code equals}/{@code hashCode}): the search memoises
 * states. Partition commands that commute (different keys of a map) with {@link #partition}, so that each part is
 * searched alone; that is what keeps the search fast.
 *
 * <p>Threading: called from one thread at a time; must not block.
 *
 * @param <S> the model's state
 */
public interface Model<S> {
    /** The state of an empty state machine. */
    S initial();

    /**
     * The state after {@code command} from {@code state}, or null if the state machine could not have answered
     * {@code output} there.
     *
     * @param output the answer the client got, or null if it never learned the outcome (any answer is accepted)
     */
    S apply(S state, byte[] command, byte[] output);

    /** Whether {@code query} could have answered {@code output} in {@code state} (queries change nothing). */
    boolean answers(S state, byte[] query, byte[] output);

    /**
     * Whether an operation's answer shows that {@code unknownCommand}, a command whose outcome its client never
     * learned, took effect: a read answering the value only that command writes. Lets the checker first search a
     * history in which unknown commands nobody saw never happened, which is sound (never is a valid outcome) and much
     * smaller. Default: true, as the checker cannot tell.
     *
     * @param operation a command or query with a known outcome
     * @param output its answer
     */
    default boolean reveals(byte[] operation, byte[] output, byte[] unknownCommand) {
        return true;
    }

    /**
     * The part of the state a command or query touches; operations on different parts commute. Default: one part.
     * Must return a value with value equality (a String, a record).
     */
    default Object partition(byte[] commandOrQuery) {
        return "";
    }
}
