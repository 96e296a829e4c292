package dev.echo.core.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The in-memory replicated log of one member (PROTOCOL.md §4): consecutive entries with non-decreasing terms after
 * a base, the last snapshot's (index, term, configuration). Before any snapshot the base is index 0, term 0 and the
 * bootstrap configuration. Entries at or below the base are compacted away: they are committed and live in the
 * snapshot. Not thread-safe; owned by one {@link GroupProtocol}; others get it read-only.
 */
public final class ReplicationLog {
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** The configuration in force at the base: the bootstrap one, or the snapshot's. */
    private QuorumSystem bootstrap;

    private long baseIndex;
    private long baseTerm;
    /** Index → configuration of every configuration entry in the log (PROTOCOL.md §2: configurations live in it). */
    private final TreeMap<Long, QuorumSystem> configurations = new TreeMap<>();

    /** The log a member recovered: after its snapshot if it has one, else from entry 1 under {@code bootstrap}. */
    static ReplicationLog recovered(QuorumSystem bootstrap, RecoveredState recovered) {
        if (recovered.snapshot().isEmpty()) {
            return new ReplicationLog(bootstrap, recovered.entries());
        }
        SnapshotMeta meta = recovered.snapshot().get().meta();
        return new ReplicationLog(meta.configuration(), meta.index(), meta.term(), recovered.entries());
    }

    /**
     * Creates a log holding {@code recovered}, which must start at index 1 and be consecutive.
     *
     * @param bootstrap the configuration in force before the log's first configuration entry
     */
    ReplicationLog(QuorumSystem bootstrap, List<Entry> recovered) {
        this(bootstrap, 0, 0, recovered);
    }

    /**
     * Creates a log whose base is a snapshot at ({@code baseIndex}, {@code baseTerm}) with configuration
     * {@code atBase}, followed by {@code recovered}, which must start at {@code baseIndex + 1}.
     */
    ReplicationLog(QuorumSystem atBase, long baseIndex, long baseTerm, List<Entry> recovered) {
        this.bootstrap = atBase;
        this.baseIndex = baseIndex;
        this.baseTerm = baseTerm;
        for (Entry entry : recovered) {
            append(entry);
        }
    }

    /** The configuration in force: the latest configuration entry in the log, committed or not, else the bootstrap. */
    public QuorumSystem configuration() {
        Map.Entry<Long, QuorumSystem> latest = configurations.lastEntry();
        return latest == null ? bootstrap : latest.getValue();
    }

    /** Index of the latest configuration entry, 0 when the bootstrap configuration is in force. */
    public long configurationIndex() {
        Map.Entry<Long, QuorumSystem> latest = configurations.lastEntry();
        return latest == null ? 0 : latest.getKey();
    }

    /** The configuration in force just before {@code index}: what the log used before an entry at that index. */
    public QuorumSystem configurationBefore(long index) {
        Map.Entry<Long, QuorumSystem> before = configurations.lowerEntry(index);
        return before == null ? bootstrap : before.getValue();
    }

    /** The configuration in force at the base (the bootstrap one, or the snapshot's), before any entry in the log. */
    public QuorumSystem bootstrapConfiguration() {
        return bootstrap;
    }

    /** Index of the snapshot the log starts after; 0 before any snapshot. */
    public long snapshotIndex() {
        return baseIndex;
    }

    /** Term of the entry at {@link #snapshotIndex()}; 0 before any snapshot. */
    public long snapshotTerm() {
        return baseTerm;
    }

    /** The first index the log still holds an entry for (it may be past {@link #lastIndex()} when empty). */
    public long firstIndex() {
        return baseIndex + 1;
    }

    /** The configuration in force at {@code index}, which must be at least {@link #snapshotIndex()}. */
    public QuorumSystem configurationAt(long index) {
        Map.Entry<Long, QuorumSystem> atOrBefore = configurations.floorEntry(index);
        return atOrBefore == null ? bootstrap : atOrBefore.getValue();
    }

    /** Every configuration entry in the log: index → configuration, ascending (read-only view). */
    public SortedMap<Long, QuorumSystem> configurationEntries() {
        return Collections.unmodifiableSortedMap(configurations);
    }

    /** Index of the last entry; the snapshot's index when the log holds none. */
    public long lastIndex() {
        return baseIndex + entries.size();
    }

    /** Term of the last entry; the snapshot's term when the log holds none. */
    public long lastTerm() {
        return termAt(lastIndex());
    }

    /** Term at {@code index}, which must be in [snapshotIndex, lastIndex]: the snapshot's term at its index. */
    public long termAt(long index) {
        if (index == baseIndex) {
            return baseTerm;
        }
        return entry(index).term();
    }

    /**
     * Whether the log holds an entry at {@code index} with {@code term}. The snapshot's position matches its term;
     * an index below the snapshot is committed and compacted, and never matches (the caller decides what that means).
     */
    public boolean matches(long index, long term) {
        return index >= baseIndex && index <= lastIndex() && termAt(index) == term;
    }

    /** The entry at {@code index}, which must be in [firstIndex, lastIndex]. */
    public Entry entry(long index) {
        if (index <= baseIndex || index > lastIndex()) {
            throw new IndexOutOfBoundsException(
                    "no entry " + index + " in log of (" + baseIndex + ", " + lastIndex() + "]");
        }
        return entries.get((int) (index - baseIndex - 1));
    }

    /** Appends {@code entry}, which must be at lastIndex + 1 with a term no lower than the last term. */
    void append(Entry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append at " + entry.index() + " to log ending at " + lastIndex());
        }
        if (entry.term() < lastTerm()) {
            throw new IllegalStateException("term " + entry.term() + " after " + lastTerm());
        }
        entries.add(entry);
        if (entry.payload() instanceof Entry.ConfigurationChange change) {
            configurations.put(entry.index(), change.configuration());
        }
    }

    /** Discards every entry at {@code index} or later. */
    void truncateFrom(long index) {
        if (index <= baseIndex) {
            throw new IllegalArgumentException(
                    "cannot truncate from " + index + ", at or below the snapshot " + baseIndex);
        }
        while (lastIndex() >= index) {
            entries.remove(entries.size() - 1);
        }
        configurations.tailMap(index, true).clear(); // §2: fall back to the previous configuration
    }

    /**
     * Discards every entry up to {@code index}, which a durable snapshot with {@code term} now covers; the log must
     * hold that entry with that term. Later entries stay.
     */
    void compactTo(long index, long term) {
        if (index <= baseIndex) {
            return;
        }
        if (!matches(index, term)) {
            throw new IllegalStateException("compacting to " + index + "/" + term + " that the log does not hold");
        }
        bootstrap = configurationAt(index);
        entries.subList(0, (int) (index - baseIndex)).clear();
        configurations.headMap(index, true).clear();
        baseIndex = index;
        baseTerm = term;
    }

    /**
     * Installs a snapshot received from the leader (PROTOCOL.md §8): the entries after it are kept if the log holds
     * the snapshot's last entry with the same term (Raft's rule), otherwise the whole log is replaced by the
     * snapshot. Returns whether a suffix was kept.
     */
    boolean installSnapshot(long index, long term, QuorumSystem configuration) {
        if (index <= lastIndex() && index > baseIndex && matches(index, term)) {
            compactTo(index, term);
            return true;
        }
        entries.clear();
        configurations.clear();
        bootstrap = configuration;
        baseIndex = index;
        baseTerm = term;
        return false;
    }

    /**
     * Up to {@code maxCount} entries from {@code from}, stopping before {@code maxBytes} would be exceeded (but
     * always at least one entry when any exists).
     */
    public List<Entry> slice(long from, int maxCount, int maxBytes) {
        if (from > lastIndex()) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i <= lastIndex() && out.size() < maxCount; i++) {
            Entry entry = entry(i);
            bytes += entry.sizeBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(entry);
        }
        return out;
    }

    /** Entries from {@code from} to the end (for persisting). */
    public List<Entry> suffix(long from) {
        if (from > lastIndex()) {
            return List.of();
        }
        return Collections.unmodifiableList(
                new ArrayList<>(entries.subList((int) (from - baseIndex - 1), entries.size())));
    }

    /** First index holding {@code term} at or before {@code upTo}, scanning back (conflict hint). */
    public long firstIndexOfTerm(long term, long upTo) {
        long index = upTo;
        while (index > baseIndex + 1 && termAt(index - 1) == term) {
            index--;
        }
        return index;
    }

    /** Last index holding {@code term}, or -1 when the log has no entry of that term. */
    public long lastIndexOfTerm(long term) {
        for (long i = lastIndex(); i > baseIndex; i--) {
            long t = termAt(i);
            if (t == term) {
                return i;
            }
            if (t < term) {
                return -1;
            }
        }
        return -1;
    }
}
