package dev.echo.core.protocol;

/**
 * Tunables of the protocol core, in ticks, counts and bytes. Immutable; validated on construction so that a wrong
 * setting fails loudly at start-up, not in the middle of an election.
 *
 * @param electionTimeoutMinTicks a follower waits at least this long without a leader before a pre-vote; also the
 *     leader lease during which votes are refused
 * @param electionTimeoutMaxTicks election timeouts are drawn uniformly from [min, max)
 * @param heartbeatTicks the leader's heartbeat interval; must be well below the minimum election timeout
 * @param maxEntriesPerAppend most entries in one AppendRequest
 * @param maxAppendBytes most entry bytes in one AppendRequest (a single larger entry still goes alone)
 * @param maxInflightAppends pipeline window: AppendRequests in flight per follower
 * @param minCopies an entry commits only when at least this many members hold it durably (PROTOCOL.md §4.3)
 * @param retryTicks a member re-forwards an unanswered client request or read after this long
 * @param maxPendingRequests most client requests and reads waiting at one member (backpressure)
 * @param maxCommandBytes largest command or query accepted
 * @param maxSessions most client sessions remembered; the least recently used is evicted beyond it
 * @param sessionTtlEntries a session unused for this many log entries expires (log time, deterministic)
 * @param dynamicVoting when the leader shrinks the configuration around silent voters and re-admits them (§7)
 * @param snapshots when to snapshot and compact the log, and how snapshots are streamed to lagging members (§8)
 * @param multicast whether the group offers view-synchronous multicast beside its log, and its bounds (§13)
 */
public record ProtocolOptions(
        int electionTimeoutMinTicks,
        int electionTimeoutMaxTicks,
        int heartbeatTicks,
        int maxEntriesPerAppend,
        int maxAppendBytes,
        int maxInflightAppends,
        int minCopies,
        int retryTicks,
        int maxPendingRequests,
        int maxCommandBytes,
        int maxSessions,
        long sessionTtlEntries,
        DynamicVoting dynamicVoting,
        SnapshotPolicy snapshots,
        MulticastPolicy multicast) {

    /** Validates every bound. */
    public ProtocolOptions {
        require(electionTimeoutMinTicks >= 2, "electionTimeoutMinTicks must be >= 2");
        require(electionTimeoutMaxTicks > electionTimeoutMinTicks, "electionTimeoutMaxTicks must exceed the minimum");
        require(
                heartbeatTicks >= 1 && heartbeatTicks * 2 <= electionTimeoutMinTicks,
                "heartbeatTicks must be >= 1 and at most half the minimum election timeout");
        require(maxEntriesPerAppend >= 1, "maxEntriesPerAppend must be >= 1");
        require(maxAppendBytes >= 1024, "maxAppendBytes must be >= 1024");
        require(maxInflightAppends >= 1, "maxInflightAppends must be >= 1");
        require(minCopies >= 1, "minCopies must be >= 1");
        require(retryTicks >= 1, "retryTicks must be >= 1");
        require(maxPendingRequests >= 1, "maxPendingRequests must be >= 1");
        require(
                maxCommandBytes >= 1 && maxCommandBytes < maxAppendBytes,
                "maxCommandBytes must be in 1..maxAppendBytes");
        require(maxSessions >= 1, "maxSessions must be >= 1");
        require(sessionTtlEntries >= 1, "sessionTtlEntries must be >= 1");
        require(dynamicVoting != null, "dynamicVoting must be given");
        require(snapshots != null, "snapshots must be given");
        require(multicast != null, "multicast must be given");
        require(
                snapshots.chunkBytes() <= maxAppendBytes,
                "snapshots.chunkBytes must not exceed maxAppendBytes (both bound one message)");
        require(
                !dynamicVoting.shrink() || dynamicVoting.suspectTimeoutTicks() >= 2 * electionTimeoutMaxTicks,
                "dynamicVoting.suspectTimeoutTicks must be at least twice the maximum election timeout");
    }

    /** Safe defaults for a LAN with 10 ms ticks: election timeout 150–300 ms, heartbeat 50 ms. */
    public static ProtocolOptions defaults() {
        return new ProtocolOptions(
                15,
                30,
                5,
                512,
                1 << 20,
                32,
                1,
                20,
                100_000,
                1 << 19,
                100_000,
                10_000_000,
                DynamicVoting.defaults(),
                SnapshotPolicy.defaults(),
                MulticastPolicy.off());
    }

    /** A copy with {@code minCopies} replaced. */
    public ProtocolOptions withMinCopies(int copies) {
        Builder b = toBuilder();
        b.minCopies = copies;
        return b.build();
    }

    /** A copy with the batching and pipeline bounds replaced. */
    public ProtocolOptions withBatching(int entriesPerAppend, int inflightAppends) {
        Builder b = toBuilder();
        b.maxEntriesPerAppend = entriesPerAppend;
        b.maxInflightAppends = inflightAppends;
        return b.build();
    }

    /**
     * A copy with the size bounds replaced: entry bytes per AppendRequest and the largest command or query. Snapshot
     * chunks larger than the new append bound shrink to it.
     */
    public ProtocolOptions withSizes(int appendBytes, int commandBytes) {
        Builder b = toBuilder();
        b.maxAppendBytes = appendBytes;
        b.maxCommandBytes = commandBytes;
        if (snapshots.chunkBytes() > appendBytes) { // a chunk is bounded like an append: shrink it along
            b.snapshots = new SnapshotPolicy(snapshots.intervalEntries(), appendBytes, snapshots.chunkTimeoutTicks());
        }
        return b.build();
    }

    /** A copy with the dynamic voting policy replaced. */
    public ProtocolOptions withDynamicVoting(DynamicVoting policy) {
        Builder b = toBuilder();
        b.dynamicVoting = policy;
        return b.build();
    }

    /** A copy with the snapshot policy replaced. */
    public ProtocolOptions withSnapshots(SnapshotPolicy policy) {
        Builder b = toBuilder();
        b.snapshots = policy;
        return b.build();
    }

    /** A copy with session bounds replaced. */
    public ProtocolOptions withSessions(int sessions, long ttlEntries) {
        Builder b = toBuilder();
        b.maxSessions = sessions;
        b.sessionTtlEntries = ttlEntries;
        return b.build();
    }

    /** A copy with the multicast policy replaced. */
    public ProtocolOptions withMulticast(MulticastPolicy policy) {
        Builder b = toBuilder();
        b.multicast = policy;
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.electionTimeoutMinTicks = electionTimeoutMinTicks;
        b.electionTimeoutMaxTicks = electionTimeoutMaxTicks;
        b.heartbeatTicks = heartbeatTicks;
        b.maxEntriesPerAppend = maxEntriesPerAppend;
        b.maxAppendBytes = maxAppendBytes;
        b.maxInflightAppends = maxInflightAppends;
        b.minCopies = minCopies;
        b.retryTicks = retryTicks;
        b.maxPendingRequests = maxPendingRequests;
        b.maxCommandBytes = maxCommandBytes;
        b.maxSessions = maxSessions;
        b.sessionTtlEntries = sessionTtlEntries;
        b.dynamicVoting = dynamicVoting;
        b.snapshots = snapshots;
        b.multicast = multicast;
        return b;
    }

    /** Mutable copy of every field, so each {@code with…} changes only what it names. */
    private static final class Builder {
        int electionTimeoutMinTicks;
        int electionTimeoutMaxTicks;
        int heartbeatTicks;
        int maxEntriesPerAppend;
        int maxAppendBytes;
        int maxInflightAppends;
        int minCopies;
        int retryTicks;
        int maxPendingRequests;
        int maxCommandBytes;
        int maxSessions;
        long sessionTtlEntries;
        DynamicVoting dynamicVoting;
        SnapshotPolicy snapshots;
        MulticastPolicy multicast;

        ProtocolOptions build() {
            return new ProtocolOptions(
                    electionTimeoutMinTicks,
                    electionTimeoutMaxTicks,
                    heartbeatTicks,
                    maxEntriesPerAppend,
                    maxAppendBytes,
                    maxInflightAppends,
                    minCopies,
                    retryTicks,
                    maxPendingRequests,
                    maxCommandBytes,
                    maxSessions,
                    sessionTtlEntries,
                    dynamicVoting,
                    snapshots,
                    multicast);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
