package dev.echo.core.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a member's journal held when it started: the durable term/vote, the latest snapshot (whose state the runtime
 * has already restored into the state machine) and the log after it (PROTOCOL.md §5). Immutable.
 *
 * @param hardState the durable term and vote
 * @param snapshot the snapshot the state machine was restored from, if any
 * @param entries the durable log, consecutive from the snapshot's index + 1 (from 1 without a snapshot)
 * @param storageFaulted the journal found its durable data damaged or missing: the member starts in {@link
 *     MemberStatus#STORAGE_FAULTED} with an empty log (and a fresh state machine), and neither votes nor acknowledges
 *     until a leader repairs it (with its snapshot, or its whole log from entry 1)
 */
public record RecoveredState(
        HardState hardState, Optional<Snapshot> snapshot, List<Entry> entries, boolean storageFaulted) {
    /** The state of a member with an empty journal. */
    public static final RecoveredState EMPTY = new RecoveredState(HardState.INITIAL, List.of());

    /**
     * A member whose journal reported a fault: its log is not trusted. The term and vote are the last ones the journal
     * could read; a vote record lost in the damage cannot be known, so the member grants no vote until repaired.
     */
    public static RecoveredState faulted(HardState readable) {
        return new RecoveredState(readable, Optional.empty(), List.of(), true);
    }

    /** A member whose journal is sound. */
    public RecoveredState(HardState hardState, Optional<Snapshot> snapshot, List<Entry> entries) {
        this(hardState, snapshot, entries, false);
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

    /** A member without a snapshot: the log starts at index 1. */
    public RecoveredState(HardState hardState, List<Entry> entries) {
        this(hardState, Optional.empty(), entries);
    }

    /**
     * Freezes the log and checks it follows the snapshot, consecutive, with terms no later than the hard state's. (A
     * snapshot installed from a leader may carry a later term than the durable one: the snapshot store is written
     * apart from the journal. That is harmless: the term is only raised by messages.)
     */
    public RecoveredState {
        Objects.requireNonNull(hardState, "hardState");
        Objects.requireNonNull(snapshot, "snapshot");
        entries = List.copyOf(entries);
        long base = snapshot.map(s -> s.meta().index()).orElse(0L);
        long previousTerm = snapshot.map(s -> s.meta().term()).orElse(0L);
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (entry.index() != base + i + 1 || entry.term() < previousTerm || entry.term() > hardState.term()) {
                throw new IllegalArgumentException(
                        "recovered log is not consecutive with valid terms at " + (base + i + 1));
            }
            previousTerm = entry.term();
        }
    }
}
