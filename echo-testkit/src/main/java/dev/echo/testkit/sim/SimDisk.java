package dev.echo.testkit.sim;

import dev.echo.core.StateMachine;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.RecoveredState;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.SnapshotContent;
import dev.echo.testkit.check.InvariantViolation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A member's simulated stable storage: the journal (term/vote and log) and the snapshot store. Journal writes
 * ({@link Output.Persist} and {@link Output.CompactLog}) are applied in ticket order; one is durable only when its
 * simulated fsync completes. A crash loses every write not yet durable, except that a torn write may leave a prefix
 * of the first pending one (what a checksummed journal recovers after a torn tail: PROTOCOL.md §5). A snapshot is
 * durable once stored, as the real store's write, force and rename make it; a snapshot being received is lost in a
 * crash. Not thread-safe.
 */
public final class SimDisk {
    /**
     * A durable snapshot.
     *
     * @param meta what it covers
     * @param bytes its content, as {@link SnapshotContent} lays it out
     */
    public record StoredSnapshot(SnapshotMeta meta, byte[] bytes) {}

    private HardState hardState = HardState.INITIAL;
    /**
     * The life of this disk: raised by every wipe, as an operator re-provisioning a member gives it a new one, and by
     * every damage found (§5).
     */
    private long incarnation;
    /** Index of the entry before {@link #log}'s first: the compaction point. */
    private long base;

    private final ArrayList<Entry> log = new ArrayList<>();
    private final ArrayDeque<Output.JournalWrite> pending = new ArrayDeque<>();
    private long lastCompletionMicros;
    private StoredSnapshot snapshot;
    /** A snapshot being received from the leader: not durable. */
    private byte[] receiving = new byte[0];

    /**
     * The journal found damage in the middle of the log or a missing snapshot (PROTOCOL.md §5): the member recovers
     * nothing it can trust, until its leader repairs it (from its snapshot or its whole log).
     */
    private boolean damaged;

    /** The disk's incarnation: 0 until it is first wiped or damaged. */
    public long incarnation() {
        return incarnation;
    }

    /** The disk is replaced by an empty one (the member must be down): everything is lost, the incarnation rises. */
    void wipe() {
        hardState = HardState.INITIAL;
        lastCompletionMicros = 0;
        dropLogAndSnapshots();
    }

    /** The log and every snapshot are gone, and the member's next life begins. */
    private void dropLogAndSnapshots() {
        base = 0;
        log.clear();
        pending.clear();
        snapshot = null;
        receiving = new byte[0];
        incarnation++;
    }

    /**
     * Damages the journal of a member that is down, as a checksum failure in the middle of its log would: its log and
     * snapshot can no longer be trusted, so for every checker they are gone. The term and vote survive as read. The
     * runtime records the member's next incarnation at once (PROTOCOL.md §5), as this does.
     */
    void damage() {
        damaged = true;
        dropLogAndSnapshots();
    }

    /** Whether the journal reports damage that no repair has cleared yet. */
    public boolean damaged() {
        return damaged;
    }

    /** Whether this disk ever lost data it held: it was wiped or damaged, and so began a later life. */
    public boolean lostData() {
        return incarnation > 0;
    }

    /**
     * The configuration in force in the durable log (PROTOCOL.md §2): its latest configuration entry, else the
     * snapshot's, else {@code bootstrap}. What the member would start with after a crash.
     */
    public QuorumSystem configuration(QuorumSystem bootstrap) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i).payload() instanceof Entry.ConfigurationChange change) {
                return change.configuration();
            }
        }
        return snapshot != null ? snapshot.meta().configuration() : bootstrap;
    }

    /** The durable term and vote. */
    public HardState hardState() {
        return hardState;
    }

    /** Index of the last durable log entry (the snapshot's when the log after it is empty). */
    public long lastIndex() {
        return base + log.size();
    }

    /** Term of the durable entry at {@code index}, or -1 if there is none (compacted ones included). */
    public long termAt(long index) {
        return index > base && index <= lastIndex()
                ? log.get((int) (index - base - 1)).term()
                : -1;
    }

    /** The durable entry at {@code index}, or {@code null} if the log holds none there (compacted ones included). */
    public Entry durableEntry(long index) {
        return index > base && index <= lastIndex() ? log.get((int) (index - base - 1)) : null;
    }

    /**
     * What the journal's read API returns for {@code [from, toExclusive)}: the durable entries, stopping once
     * {@code maxBytes} are read (at least one); empty, as a failed read, if the range is no longer all in the log.
     */
    List<Entry> read(long from, long toExclusive, long maxBytes) {
        if (from <= base || toExclusive > lastIndex() + 1 || from >= toExclusive) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i < toExclusive && (out.isEmpty() || bytes < maxBytes); i++) {
            Entry entry = durableEntry(i);
            bytes += entry.sizeBytes();
            out.add(entry);
        }
        return out;
    }

    /**
     * Whether the durable state holds the entry ({@code index}, {@code term}): in the log, or covered by the snapshot
     * (compacted entries are committed; the checkers verify the snapshot against the committed log).
     */
    public boolean holds(long index, long term) {
        return index <= base ? snapshot != null && index <= snapshot.meta().index() : termAt(index) == term;
    }

    /** The index through which the durable log was compacted (0 if never). */
    public long compactedThrough() {
        return base;
    }

    /** The durable snapshot, if any. */
    public Optional<StoredSnapshot> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    /** Queues a journal write; returns the simulated time its fsync completes (after every earlier one). */
    long write(Output.JournalWrite write, long nowMicros, long latencyMicros) {
        pending.addLast(write);
        lastCompletionMicros = Math.max(lastCompletionMicros, nowMicros) + latencyMicros;
        return lastCompletionMicros;
    }

    /** The fsync covering {@code ticket} completed: every write up to it is durable. */
    void complete(long ticket) {
        while (!pending.isEmpty() && pending.peekFirst().ticket() <= ticket) {
            Output.JournalWrite write = pending.pollFirst();
            if (write instanceof Output.Persist persist) {
                apply(persist, Integer.MAX_VALUE);
            } else {
                compact(((Output.CompactLog) write).meta());
            }
        }
    }

    /**
     * Stores a snapshot durably (the runtime took it, or received its last chunk). Only the newest is kept, as the real
     * store keeps every snapshot the compacted log may need: a snapshot taken at 244 that finishes after one received
     * at 246 was installed must not replace it (simulator seed 9191 found this in an earlier model).
     */
    void storeSnapshot(SnapshotMeta meta, byte[] bytes) {
        if (snapshot == null || meta.index() > snapshot.meta().index()) {
            snapshot = new StoredSnapshot(meta, bytes.clone());
        }
    }

    /**
     * Appends a received chunk; offset 0 starts afresh. Returns the bytes received so far, or null for a chunk of a
     * transfer that a newer one replaced.
     */
    byte[] receiveChunk(long offset, byte[] data) {
        byte[] start = offset == 0 ? new byte[0] : receiving;
        if (offset != start.length) {
            return null;
        }
        receiving = Arrays.copyOf(start, start.length + data.length);
        System.arraycopy(data, 0, receiving, start.length, data.length);
        return receiving;
    }

    /** The member crashed: pending writes are lost, or, when {@code torn}, a prefix of the first survives. */
    void crash(boolean torn, SplittableRandom random) {
        if (torn && !pending.isEmpty() && pending.peekFirst() instanceof Output.Persist first) {
            apply(first, random.nextInt(first.entries().size() + 1));
        }
        pending.clear();
        receiving = new byte[0];
        lastCompletionMicros = 0;
    }

    /**
     * What a restarting member recovers: the snapshot (whose state {@code restore} is given, as the runtime restores
     * the state machine before starting the core) and the log after it.
     */
    RecoveredState recover(StateMachine stateMachine) {
        if (damaged) {
            return RecoveredState.faulted(hardState);
        }
        if (base > 0 && (snapshot == null || snapshot.meta().index() < base)) {
            throw new InvariantViolation(
                    "§5 a snapshot is durable before the log prefix it covers is discarded",
                    "the journal is compacted through " + base + " but the newest durable snapshot is at "
                            + (snapshot == null ? "none" : snapshot.meta().index()));
        }
        if (snapshot == null) {
            return new RecoveredState(hardState, new ArrayList<>(log));
        }
        compact(snapshot.meta()); // a crash may have come between storing the snapshot and compacting the journal
        try {
            byte[] sessions = SnapshotContent.restore(new ByteArrayInputStream(snapshot.bytes()), stateMachine);
            return new RecoveredState(
                    hardState,
                    Optional.of(new RecoveredState.Snapshot(snapshot.meta(), sessions)),
                    new ArrayList<>(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The journal's compaction rule: keep the entries after the snapshot only if the log holds its last entry. */
    private void compact(SnapshotMeta meta) {
        if (damaged) { // the repair: the log restarts after the snapshot, or from scratch (the journal drops the fault)
            damaged = false;
            log.clear();
            base = meta.index();
            return;
        }
        if (meta.index() <= base) {
            return;
        }
        if (termAt(meta.index()) == meta.term()) {
            log.subList(0, (int) (meta.index() - base)).clear();
        } else {
            log.clear();
        }
        base = meta.index();
    }

    private void apply(Output.Persist persist, int entryLimit) {
        persist.hardState().ifPresent(state -> hardState = state);
        if (persist.entries().isEmpty() && persist.firstIndex() > lastIndex()) {
            return;
        }
        if (persist.firstIndex() <= base) {
            if (snapshot == null || snapshot.meta().index() < base) {
                throw new InvariantViolation(
                        "§5 a snapshot is durable before the log prefix it covers is discarded",
                        "a write from " + persist.firstIndex() + " reaches into a log compacted through " + base
                                + " that no durable snapshot covers");
            }
            throw new IllegalStateException("persist from " + persist.firstIndex() + " into the snapshot at " + base);
        }
        while (lastIndex() >= persist.firstIndex()) {
            log.remove(log.size() - 1);
        }
        List<Entry> entries = persist.entries();
        for (int i = 0; i < entries.size() && i < entryLimit; i++) {
            log.add(entries.get(i));
        }
    }
}
