package dev.echo.core.protocol;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counts of inputs a member ignored or refused, so that bad or stale input is visible without ever throwing.
 * Not thread-safe; read it from the thread that steps the member.
 */
public final class ProtocolCounters {
    /** What was counted. */
    public enum Counter {
        /**
         * A message from itself, or one a stranger or a learner may not send (PROTOCOL.md §10): from an
         * unauthenticated peer in no known configuration, a hand-over or vote from a stranger, a term raised by a
         * non-voter.
         */
        UNKNOWN_SENDER,
        /** A message whose fields are impossible (outside their domain, inconsistent indexes, oversized batch). */
        MALFORMED_MESSAGE,
        /** A message from an older term that needed no answer. */
        STALE_TERM,
        /** A (pre-)vote request refused or ignored because a leader is live. */
        VOTE_IN_LEASE,
        /** A forwarded request or read that reached a member that is not the leader. */
        NOT_LEADER,
        /** A persisted report with a ticket that is not in flight. */
        BAD_PERSIST_TICKET,
        /** A read of evicted entries back from the journal failed; it is asked for again after a tick. */
        LOG_READ_FAILED,
        /** A snapshot report (taken, stored, installed, failed) for a snapshot the member no longer waits for. */
        STALE_SNAPSHOT_REPORT,
        /** An AppendRequest ignored because the member is installing a snapshot. */
        BUSY_INSTALLING,
        /** A client request refused at submission (no quorum, overload, bad arguments). */
        REQUEST_REFUSED,
        /** A leadership transfer request that could not be started. */
        TRANSFER_REFUSED,
        /** A message from an earlier incarnation of a member than one already heard (a wiped disk's old life). */
        STALE_INCARNATION,
        /** This leader's uncommitted joint change replaced by its old half: a new-half voter could no longer answer. */
        CHANGE_ROLLED_BACK,
        /**
         * A follower that kept rejecting appends below what it had acknowledged: it lost acknowledged entries without a
         * storage fault to say so (PROTOCOL.md §5, "Damage the journal cannot see"), and its acknowledgements no longer count.
         * An upper bound: a burst of stale rejections reordered behind an acknowledgement counts too.
         */
        ACKNOWLEDGED_ENTRIES_LOST,
        /**
         * Multicast traffic dropped (PROTOCOL.md §13): for another view than the one installed, from a member that is
         * not its sequencer or participant, after this member reported on the view, or beyond the flow-control bound.
         */
        STALE_MULTICAST
    }

    private final EnumMap<Counter, Long> counts = new EnumMap<>(Counter.class);

    void increment(Counter counter) {
        counts.merge(counter, 1L, Long::sum);
    }

    /** The current count of {@code counter}. */
    public long get(Counter counter) {
        return counts.getOrDefault(counter, 0L);
    }

    /** A snapshot of every non-zero count. */
    public Map<Counter, Long> snapshot() {
        return new EnumMap<>(counts);
    }
}
