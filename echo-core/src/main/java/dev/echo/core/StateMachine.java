package dev.echo.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The application's replicated state: Echo calls {@link #apply} with every committed command, in log order, on
 * every member, exactly once per (client, sequence).
 *
 * <p>Threading: {@link #apply}, {@link #query} and {@link #snapshot} are called from the group's single loop thread
 * (or the simulator's thread), never concurrently, and must not block: a slow callback delays the whole group.
 * {@link Snapshot#writeTo} and {@link #restore} run on a snapshot thread, where blocking on I/O is fine; see each for
 * what may run at the same time. Implementations must be deterministic: the same commands in the same order must
 * produce the same results and state on every member.
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
     * Tells the state machine that the group's membership changed, at its exact place among the commands (issue 23:
     * views in the apply stream). Called between two {@link #apply} calls when a configuration entry commits at
     * {@code index}, and after {@link #restore} with the configuration the snapshot was taken in (then {@code index}
     * is the snapshot's). Every member sees the same views at the same places in the stream, so the state machine may
     * use them deterministically, for example to split work by {@link View#rankOf rank}. Before the first call the
     * group's initial view is in force. The default does nothing.
     *
     * <p>Called on the loop thread, like {@link #apply}; must not block.
     *
     * @param index the log index from which {@code view} is in force (see above for snapshots)
     * @param view the membership in force from {@code index}
     */
    default void viewChanged(long index, View view) {}

    /**
     * Answers a read-only query against the current state. It must not change the state.
     *
     * @param query the bytes of the query
     * @return the answer, never {@code null}
     */
    byte[] query(byte[] query);

    /**
     * Captures the state as it is now, after the last applied command, for a snapshot (PROTOCOL.md §8): the group then
     * compacts its log up to that command. Called on the loop thread between two applies, so it must be quick: copy
     * or freeze the state (a persistent or copy-on-write structure makes this O(1)); do not write it out here. The
     * returned writer runs later on a snapshot thread, while the loop goes on applying, so it must read only what was
     * captured.
     *
     * <p>The default returns {@code null}: this state machine takes no snapshots, and the group's log is never
     * compacted (it grows with every command, in memory and on disk).
     *
     * @return the captured state, or {@code null} if snapshots are not supported
     */
    default Snapshot snapshot() {
        return null;
    }

    /**
     * Replaces the whole state with one written by a {@link Snapshot}: at start, when the member recovers from its
     * own snapshot, and when the leader sends one to a member too far behind. Runs on a snapshot thread while the
     * group calls no other method of this state machine, and may block reading the stream. If it throws, the group
     * stops (fail-stop): the state is then undefined.
     *
     * @param in the snapshot's bytes, exactly as {@link Snapshot#writeTo} wrote them; do not close it
     * @throws IOException if the stream cannot be read or holds no valid state
     */
    default void restore(InputStream in) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot restore snapshots");
    }

    /**
     * State captured by {@link #snapshot()}, written out later on a snapshot thread.
     *
     * <p>Threading: {@link #writeTo} is called once, on a snapshot thread, concurrently with the group's applies; it
     * may block on I/O.
     */
    @FunctionalInterface
    interface Snapshot {
        /**
         * Writes the captured state.
         *
         * @param out where to write; buffered; do not close it
         * @throws IOException if writing fails (the snapshot is then discarded and retried later)
         */
        void writeTo(OutputStream out) throws IOException;
    }
}
