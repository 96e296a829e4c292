package dev.echo.core.protocol;

/**
 * When a member snapshots its state and compacts its log, and how the leader streams a snapshot to a member that is
 * behind it (PROTOCOL.md §8). Immutable; validated on construction.
 *
 * <p>Safety never depends on these values. A smaller interval bounds the memory and disk the log uses and the time a
 * restart spends replaying it; a larger one makes snapshots rarer. Chunks bound the memory a transfer uses on both
 * sides: one chunk per follower is in flight at a time, and the next is sent only when the previous one is written
 * (backpressure).
 *
 * @param intervalEntries snapshot once this many entries were applied since the last snapshot; 0 never snapshots
 *     (the log then grows without bound)
 * @param chunkBytes most snapshot bytes in one InstallSnapshot message
 * @param chunkTimeoutTicks the leader resends an unanswered chunk after this long (the transfer resumes where the
 *     follower's last answer left it)
 */
public record SnapshotPolicy(long intervalEntries, int chunkBytes, int chunkTimeoutTicks) {
    /** The largest chunk: well below every transport's frame limit. */
    public static final int MAX_CHUNK_BYTES = 4 << 20;

    /** Validates each bound. */
    public SnapshotPolicy {
        if (intervalEntries < 0) {
            throw new IllegalArgumentException("snapshot intervalEntries must be >= 0: " + intervalEntries);
        }
        if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException(
                    "snapshot chunkBytes must be in 1.." + MAX_CHUNK_BYTES + ": " + chunkBytes);
        }
        if (chunkTimeoutTicks < 1) {
            throw new IllegalArgumentException("snapshot chunkTimeoutTicks must be >= 1: " + chunkTimeoutTicks);
        }
    }

    /** Snapshot every 100,000 entries, 256 KiB chunks, resent after 50 ticks (0.5 s with 10 ms ticks). */
    public static SnapshotPolicy defaults() {
        return new SnapshotPolicy(100_000, 256 << 10, 50);
    }

    /** Never snapshot automatically; the log keeps every entry. */
    public static SnapshotPolicy never() {
        return new SnapshotPolicy(0, 256 << 10, 50);
    }

    /** Whether snapshots are taken at all. */
    public boolean enabled() {
        return intervalEntries > 0;
    }
}
