package dev.echo.core;

/**
 * The application's replicated state: Echo calls {@link #apply} with every committed command, in log order, on
 * every member, exactly once per (client, sequence).
 *
 * <p>Threading: every method is called from the group's single loop thread (or the simulator's thread), never
 * concurrently, and must not block: a slow callback delays the whole group. Implementations must be deterministic:
 * the same commands in the same order must produce the same results and state on every member.
 */
public interface StateMachine {
    /**
     * Applies one committed command and returns its result, which is handed to the client that submitted it (and
     * remembered for duplicate submissions).
     *
     * @param index the log index of the command (strictly increasing across calls)
     * @param command the bytes the client submitted; must not be modified
     * @return the result bytes, never {@code null} (use an empty array)
     */
    byte[] apply(long index, byte[] command);

    /**
     * Answers a read-only query against the current state. It must not change the state.
     *
     * @param query the bytes of the query
     * @return the answer, never {@code null}
     */
    byte[] query(byte[] query);
}
