package dev.echo.core.protocol;

import dev.echo.core.protocol.ProtocolCounters.Counter;
import java.util.HashSet;
import java.util.Set;

/**
 * The reads of evicted entries this member has asked its runtime for ({@link Output.ReadLog}): each range is asked
 * for once until it is answered, and only a few at a time, so a follower far behind is streamed from disk in chunks
 * of up to 4 MiB (the read-ahead) while the leader keeps serving the others from the cache
 * (docs/architecture.md, "The log cache"). The state machine's apply reads through here too, after a restart or
 * when it fell behind the cache.
 *
 * <p>Not thread-safe; owned by one {@link GroupProtocol}.
 */
final class LogReads {
    /** Reads in flight at once: one per lagging follower is the usual case. */
    private static final int MAX_OUTSTANDING = 4;
    /**
     * The most bytes one read asks for: a few appends' worth. The read-back window is held beside the cache, so it
     * must not be the default window of 32 appends of 1 MiB.
     */
    private static final long MAX_READ_BYTES = 4L << 20;

    private final MemberState state;
    private final Outbox outbox;
    private final Set<Long> outstanding = new HashSet<>();
    /** A read failed: ask again only after the next tick, not in a loop of failing reads. */
    private boolean failedThisTick;

    LogReads(MemberState state, Outbox outbox) {
        this.state = state;
        this.outbox = outbox;
    }

    /**
     * Asks for the entries from {@code from} that are not in memory, up to the cache's start and {@link
     * #MAX_READ_BYTES} (less if a replication window is smaller), unless that read is already in flight or a read
     * failed this tick. {@code from} must be held by the log, on disk only.
     */
    void request(long from) {
        if (failedThisTick || outstanding.contains(from) || outstanding.size() >= MAX_OUTSTANDING) {
            return;
        }
        ReplicationLog log = state.log;
        long upTo = Math.min(log.cachedFrom(), log.lastIndex() + 1);
        MemberState.check(
                from > log.snapshotIndex() && from < upTo,
                "reading back " + from + " outside the evicted part (" + log.snapshotIndex() + ", " + upTo + ")");
        long windowBytes =
                Math.min((long) state.options.maxAppendBytes() * state.options.maxInflightAppends(), MAX_READ_BYTES);
        outstanding.add(from);
        outbox.add(new Output.ReadLog(from, upTo, windowBytes));
    }

    /** A read came back: keeps what the log still holds, and returns how many entries that is. */
    int answered(Input.LogRead read) {
        if (!outstanding.remove(read.fromIndex())) {
            return 0; // asked for by an earlier life of this member, or answered twice
        }
        if (read.entries().isEmpty()) {
            failedThisTick = true;
            state.counters.increment(Counter.LOG_READ_FAILED);
            return 0;
        }
        return state.log.readBack(read.fromIndex(), read.entries());
    }

    /** Failed reads may be asked for again. */
    void tick() {
        failedThisTick = false;
    }
}
