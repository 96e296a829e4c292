package dev.echo.core.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a member's journal held when it started: the durable term/vote, the latest snapshot (whose state the runtime
 * has already restored into the state machine) and the log after it (PROTOCOL.md §5). Immutable, but for the log,
 * which is read once as the member is built.
 *
 * @param hardState the durable term and vote
 * @param snapshot the snapshot the state machine was restored from, if any
 * @param log the durable log, consecutive from the snapshot's index + 1 (from 1 without a snapshot), with terms no
 *     later than the hard state's (checked as it is read)
 * @param storageFaulted the journal found its durable data damaged or missing: the member starts in {@link
 *     MemberStatus#STORAGE_FAULTED} with an empty log (and a fresh state machine), and neither votes nor acknowledges
 *     until a leader repairs it (with its snapshot, or its whole log from entry 1)
 */
public record RecoveredState(
        HardState hardState, Optional<Snapshot> snapshot, RecoveredLog log, boolean storageFaulted) {
    /** The state of a member with an empty journal. */
    public static final RecoveredState EMPTY = new RecoveredState(HardState.INITIAL, List.of());

    /**
     * A member whose journal reported a fault: its log is not trusted. The term and vote are the last ones the journal
     * could read; a vote record lost in the damage cannot be known, so the member grants no vote until repaired.
     */
    public static RecoveredState faulted(HardState readable) {
        return new RecoveredState(readable, Optional.empty(), RecoveredLog.of(List.of()), true);
    }

    /** A member whose journal is sound, its log streamed from the journal. */
    public RecoveredState(HardState hardState, Optional<Snapshot> snapshot, RecoveredLog log) {
        this(hardState, snapshot, log, false);
    }

    /** A member whose journal is sound, its log in memory (checked here). */
    public RecoveredState(HardState hardState, Optional<Snapshot> snapshot, List<Entry> entries) {
        this(hardState, snapshot, checked(hardState, snapshot, entries), false);
    }

    /** A member without a snapshot: the log starts at index 1. */
    public RecoveredState(HardState hardState, List<Entry> entries) {
        this(hardState, Optional.empty(), entries);
    }

    /**
     * A recovered snapshot.
     *
     * @param meta what it covers
     * @param sessions the exactly-once table stored with it
     */
    public record Snapshot(SnapshotMeta meta, byte[] sessions) {
        /** Requires both parts. */
        public Snapshot {
            Objects.requireNonNull(meta, "meta");
            Objects.requireNonNull(sessions, "sessions");
        }
    }

    /** Requires every part. */
    public RecoveredState {
        Objects.requireNonNull(hardState, "hardState");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(log, "log");
    }

    /**
     * Checks that {@code entry}, the next one read, follows the log: consecutive, with terms no lower than the one
     * before and no later than the hard state's. (A snapshot installed from a leader may carry a later term than the
     * durable one: the snapshot store is written apart from the journal. That is harmless: the term is only raised by
     * messages.)
     *
     * @throws IllegalArgumentException if it does not
     */
    static void checkNext(HardState hardState, Entry entry, long expectedIndex, long previousTerm) {
        if (entry.index() != expectedIndex || entry.term() < previousTerm || entry.term() > hardState.term()) {
            throw new IllegalArgumentException("recovered log is not consecutive with valid terms at " + expectedIndex);
        }
    }

    private static RecoveredLog checked(HardState hardState, Optional<Snapshot> snapshot, List<Entry> entries) {
        long expected = snapshot.map(s -> s.meta().index()).orElse(0L) + 1;
        long previousTerm = snapshot.map(s -> s.meta().term()).orElse(0L);
        for (Entry entry : entries) {
            checkNext(hardState, entry, expected++, previousTerm);
            previousTerm = entry.term();
        }
        return RecoveredLog.of(entries);
    }
}
