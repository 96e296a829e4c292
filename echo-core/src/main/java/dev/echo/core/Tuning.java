package dev.echo.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The replication protocol's settings for one group, as an application sets them: times as {@link Duration}s, sizes
 * in bytes and entries. Immutable; validated on construction, so that a wrong setting fails when the options are
 * built, not in the middle of an election. The node converts the times to its ticks when the group is joined
 * (rounding up), and checks there that the sizes fit its transport.
 *
 * <p>Safety never depends on these values (docs/protocol.md §4, §7, §8): they trade latency, availability and memory.
 * Start from {@link #defaults()} and change what you measure a need for with the {@code with…} methods.
 *
 * @param electionTimeoutMin a follower waits at least this long without hearing a leader before it starts an
 *     election; also the leader lease during which a member refuses votes
 * @param electionTimeoutMax election timeouts are drawn uniformly between the minimum and this
 * @param heartbeat the leader's heartbeat interval; at most half the minimum election timeout
 * @param maxEntriesPerAppend most entries in one replication message
 * @param maxAppendBytes most entry bytes in one replication message (a single larger entry still goes alone)
 * @param maxInflightAppends the pipeline window: replication messages in flight per follower
 * @param maxCommandBytes the largest command or query accepted; below {@code maxAppendBytes}
 * @param minCopies an entry commits only once at least this many members hold it durably, whatever the quorum
 * @param retryInterval a member re-forwards an unanswered request or read to the leader after this long
 * @param maxSessions most client sessions the group remembers for exactly-once retries (the least recently used
 *     is evicted beyond it)
 * @param sessionTtlEntries a session unused for this many log entries expires
 * @param dynamicVoting whether the leader shrinks the group around silent voters and re-admits them (§7); off means
 *     the membership changes only when the application asks
 * @param suspectAfter a voter silent this long is suspected; at least twice the maximum election timeout
 * @param readmitAfter a suspended voter must answer steadily this long before it gets its vote back
 * @param minVoters dynamic voting never shrinks the group below this many voters
 * @param minWeightFraction nor below this fraction (0..1) of the configured total weight
 * @param snapshotIntervalEntries snapshot once this many entries were applied since the last one; 0 never
 * @param snapshotChunkBytes most snapshot bytes in one transfer message; at most {@code maxAppendBytes}
 * @param snapshotChunkTimeout an unanswered snapshot chunk is resent after this long
 */
public record Tuning(
        Duration electionTimeoutMin,
        Duration electionTimeoutMax,
        Duration heartbeat,
        int maxEntriesPerAppend,
        int maxAppendBytes,
        int maxInflightAppends,
        int maxCommandBytes,
        int minCopies,
        Duration retryInterval,
        int maxSessions,
        long sessionTtlEntries,
        boolean dynamicVoting,
        Duration suspectAfter,
        Duration readmitAfter,
        int minVoters,
        double minWeightFraction,
        long snapshotIntervalEntries,
        int snapshotChunkBytes,
        Duration snapshotChunkTimeout) {

    /** The largest snapshot chunk: well below every transport's frame limit. */
    public static final int MAX_SNAPSHOT_CHUNK_BYTES = 4 << 20;

    /** Validates every setting and the relations between them. */
    public Tuning {
        positive(electionTimeoutMin, "electionTimeoutMin");
        positive(electionTimeoutMax, "electionTimeoutMax");
        positive(heartbeat, "heartbeat");
        positive(retryInterval, "retryInterval");
        positive(suspectAfter, "suspectAfter");
        positive(readmitAfter, "readmitAfter");
        positive(snapshotChunkTimeout, "snapshotChunkTimeout");
        require(
                electionTimeoutMax.compareTo(electionTimeoutMin) > 0,
                "electionTimeoutMax must exceed electionTimeoutMin");
        require(
                heartbeat.multipliedBy(2).compareTo(electionTimeoutMin) <= 0,
                "heartbeat must be at most half of electionTimeoutMin");
        require(maxEntriesPerAppend >= 1, "maxEntriesPerAppend must be at least 1");
        require(maxAppendBytes >= 1024, "maxAppendBytes must be at least 1024");
        require(maxInflightAppends >= 1, "maxInflightAppends must be at least 1");
        require(
                maxCommandBytes >= 1 && maxCommandBytes < maxAppendBytes,
                "maxCommandBytes must be at least 1 and below maxAppendBytes");
        require(minCopies >= 1, "minCopies must be at least 1");
        require(maxSessions >= 1, "maxSessions must be at least 1");
        require(sessionTtlEntries >= 1, "sessionTtlEntries must be at least 1");
        require(
                !dynamicVoting || suspectAfter.compareTo(electionTimeoutMax.multipliedBy(2)) >= 0,
                "suspectAfter must be at least twice electionTimeoutMax");
        require(minVoters >= 1, "minVoters must be at least 1");
        require(minWeightFraction >= 0 && minWeightFraction <= 1, "minWeightFraction must be in 0..1");
        require(snapshotIntervalEntries >= 0, "snapshotIntervalEntries must not be negative");
        require(
                snapshotChunkBytes >= 1 && snapshotChunkBytes <= Math.min(MAX_SNAPSHOT_CHUNK_BYTES, maxAppendBytes),
                "snapshotChunkBytes must be in 1..min(" + MAX_SNAPSHOT_CHUNK_BYTES + ", maxAppendBytes)");
    }

    /**
     * Settings for a LAN: elections after 150–300 ms of silence, heartbeats every 50 ms, 512 entries or 1 MiB per
     * message with 32 in flight, commands up to 512 KiB, dynamic voting on (suspect after 5 s, re-admit after 1 s),
     * a snapshot every 100,000 entries in 256 KiB chunks. Why each time is what it is, and when to raise them (a
     * shared or virtualised host whose leader may stall for longer than 150 ms): docs/benchmarks.md, "On a shared
     * machine".
     */
    public static Tuning defaults() {
        return new Tuning(
                Duration.ofMillis(150),
                Duration.ofMillis(300),
                Duration.ofMillis(50),
                512,
                1 << 20,
                32,
                1 << 19,
                1,
                Duration.ofMillis(200),
                100_000,
                10_000_000,
                true,
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                1,
                0.0,
                100_000,
                256 << 10,
                Duration.ofMillis(500));
    }

    /**
     * {@link #defaults()} sized for a datagram transport (UDP): 64 entries or 40,000 bytes per message with 32 in
     * flight, and commands up to 16 KiB, so that every message, snapshot chunks included, fits one datagram with room
     * for the transport's header and MAC. A node refuses to join a group whose messages could not fit.
     */
    public static Tuning forDatagrams() {
        return defaults().withBatching(64, 32).withSizes(40_000, 16 << 10);
    }

    /**
     * A copy with other election timeouts and heartbeat. Dynamic voting's suspicion timeout grows to twice the new
     * maximum if it was shorter, since a voter must not be suspected before an election could have replaced its
     * leader; so the order of {@code with…} calls does not matter. Set it explicitly with
     * {@link #withDynamicVoting}.
     */
    public Tuning withTimeouts(Duration electionMin, Duration electionMax, Duration heartbeatInterval) {
        Copy copy = new Copy(this);
        copy.electionTimeoutMin = electionMin;
        copy.electionTimeoutMax = electionMax;
        copy.heartbeat = heartbeatInterval;
        if (electionMax != null && suspectAfter.compareTo(electionMax.multipliedBy(2)) < 0) {
            copy.suspectAfter = electionMax.multipliedBy(2);
        }
        return copy.build();
    }

    /** A copy with other batching bounds: entries per replication message and messages in flight per follower. */
    public Tuning withBatching(int entriesPerAppend, int inflightAppends) {
        Copy copy = new Copy(this);
        copy.maxEntriesPerAppend = entriesPerAppend;
        copy.maxInflightAppends = inflightAppends;
        return copy.build();
    }

    /**
     * A copy with other size bounds: entry bytes per replication message and the largest command. A snapshot chunk
     * larger than the new message bound shrinks to it, since both bound one message.
     */
    public Tuning withSizes(int appendBytes, int commandBytes) {
        Copy copy = new Copy(this);
        copy.maxAppendBytes = appendBytes;
        copy.maxCommandBytes = commandBytes;
        copy.snapshotChunkBytes = Math.min(snapshotChunkBytes, appendBytes);
        return copy.build();
    }

    /** A copy where an entry commits only once {@code copies} members hold it durably. */
    public Tuning withMinCopies(int copies) {
        Copy copy = new Copy(this);
        copy.minCopies = copies;
        return copy.build();
    }

    /** A copy with other session bounds. */
    public Tuning withSessions(int sessions, long ttlEntries) {
        Copy copy = new Copy(this);
        copy.maxSessions = sessions;
        copy.sessionTtlEntries = ttlEntries;
        return copy.build();
    }

    /** A copy with dynamic voting on, suspecting after {@code suspect} and re-admitting after {@code readmit}. */
    public Tuning withDynamicVoting(Duration suspect, Duration readmit) {
        Copy copy = new Copy(this);
        copy.dynamicVoting = true;
        copy.suspectAfter = suspect;
        copy.readmitAfter = readmit;
        return copy.build();
    }

    /** A copy with dynamic voting floors: never fewer voters, nor less of the configured weight. */
    public Tuning withDynamicVotingFloors(int voters, double weightFraction) {
        Copy copy = new Copy(this);
        copy.minVoters = voters;
        copy.minWeightFraction = weightFraction;
        return copy.build();
    }

    /** A copy with static membership: the configuration changes only when the application asks. */
    public Tuning withStaticMembership() {
        Copy copy = new Copy(this);
        copy.dynamicVoting = false;
        return copy.build();
    }

    /**
     * A copy with another snapshot policy: every {@code intervalEntries} applied entries (0: never; the log then
     * grows without bound), streamed in chunks of {@code chunkBytes}, each resent after {@code chunkTimeout}.
     */
    public Tuning withSnapshots(long intervalEntries, int chunkBytes, Duration chunkTimeout) {
        Copy copy = new Copy(this);
        copy.snapshotIntervalEntries = intervalEntries;
        copy.snapshotChunkBytes = chunkBytes;
        copy.snapshotChunkTimeout = chunkTimeout;
        return copy.build();
    }

    /** A mutable copy of every setting, so that each {@code with…} changes only what it names. */
    private static final class Copy {
        Duration electionTimeoutMin;
        Duration electionTimeoutMax;
        Duration heartbeat;
        int maxEntriesPerAppend;
        int maxAppendBytes;
        int maxInflightAppends;
        int maxCommandBytes;
        int minCopies;
        Duration retryInterval;
        int maxSessions;
        long sessionTtlEntries;
        boolean dynamicVoting;
        Duration suspectAfter;
        Duration readmitAfter;
        int minVoters;
        double minWeightFraction;
        long snapshotIntervalEntries;
        int snapshotChunkBytes;
        Duration snapshotChunkTimeout;

        Copy(Tuning from) {
            electionTimeoutMin = from.electionTimeoutMin;
            electionTimeoutMax = from.electionTimeoutMax;
            heartbeat = from.heartbeat;
            maxEntriesPerAppend = from.maxEntriesPerAppend;
            maxAppendBytes = from.maxAppendBytes;
            maxInflightAppends = from.maxInflightAppends;
            maxCommandBytes = from.maxCommandBytes;
            minCopies = from.minCopies;
            retryInterval = from.retryInterval;
            maxSessions = from.maxSessions;
            sessionTtlEntries = from.sessionTtlEntries;
            dynamicVoting = from.dynamicVoting;
            suspectAfter = from.suspectAfter;
            readmitAfter = from.readmitAfter;
            minVoters = from.minVoters;
            minWeightFraction = from.minWeightFraction;
            snapshotIntervalEntries = from.snapshotIntervalEntries;
            snapshotChunkBytes = from.snapshotChunkBytes;
            snapshotChunkTimeout = from.snapshotChunkTimeout;
        }

        Tuning build() {
            return new Tuning(
                    electionTimeoutMin,
                    electionTimeoutMax,
                    heartbeat,
                    maxEntriesPerAppend,
                    maxAppendBytes,
                    maxInflightAppends,
                    maxCommandBytes,
                    minCopies,
                    retryInterval,
                    maxSessions,
                    sessionTtlEntries,
                    dynamicVoting,
                    suspectAfter,
                    readmitAfter,
                    minVoters,
                    minWeightFraction,
                    snapshotIntervalEntries,
                    snapshotChunkBytes,
                    snapshotChunkTimeout);
        }
    }

    private static void positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        require(!value.isNegative() && !value.isZero(), name + " must be positive: " + value);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
