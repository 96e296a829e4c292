package dev.echo.core.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replicated log of one member (PROTOCOL.md §4): consecutive entries with non-decreasing terms after a base, the
 * last snapshot's (index, term, configuration). Before any snapshot the base is index 0, term 0 and the bootstrap
 * configuration. Entries at or below the base are compacted away: they are committed and live in the snapshot.
 *
 * <p>Every entry's term and every configuration stay in memory; entry bodies stay only in a bounded cache, the
 * newest entries (docs/architecture.md, "The log cache"). The runtime evicts durable entries from the front of the
 * cache with {@link #evictDurable}; an evicted entry is read back from the journal when a lagging follower or the
 * state machine needs it ({@link Output.ReadLog}), and the read-back entries stay in a window beside the cache until
 * the next read replaces them. Entries not yet durable are never evicted, so a persist always finds its entries.
 *
 * <p>Not thread-safe; owned by one {@link GroupProtocol}; others get it read-only.
 */
public final class ReplicationLog {
    /**
     * The JVM's objects around one cached entry beyond what {@link Entry#sizeBytes} counts, estimated from their layout
     * on a 64-bit JVM with compressed references: the entry (32 bytes), a command payload (40), the array header (16)
     * and the ring's slot (4) come to about 92 besides the command's bytes; {@code sizeBytes} already counts 48 of
     * them (its fixed fields), so about 44 more, rounded up.
     */
    private static final int ENTRY_OBJECT_BYTES = 48;
    /** The newest entries, a suffix of the log: from {@link #cachedFrom()} to {@link #lastIndex()}. */
    private final EntryRing cache = new EntryRing();

    private long cachedBytes;
    /** Consecutive entries read back from the journal below the cache; replaced by each read. */
    private List<Entry> readBack = List.of();

    private final IndexRuns terms;
    /** The configuration in force at the base: the bootstrap one, or the snapshot's. */
    private QuorumSystem bootstrap;
    /** The index of {@link #bootstrap}'s entry, compacted away with the entries below the base; 0 for the bootstrap. */
    private long bootstrapIndex;

    private long baseIndex;
    private long baseTerm;
    /** Index → configuration of every configuration entry in the log (PROTOCOL.md §2: configurations live in it). */
    private final TreeMap<Long, QuorumSystem> configurations = new TreeMap<>();
    /** {@code configurations.lastEntry()}, kept: the configuration in force is asked for at nearly every step. */
    private Map.Entry<Long, QuorumSystem> latestConfiguration;

    /**
     * The log a member recovered: after its snapshot if it has one, else from entry 1 under {@code bootstrap}. The
     * entries are streamed through: all are durable, so all but the newest {@link RecoveredLog#cacheBytes()} are
     * evicted as they come.
     */
    static ReplicationLog recovered(QuorumSystem bootstrap, RecoveredState recovered) {
        ReplicationLog log = new ReplicationLog(
                recovered.snapshot().isEmpty()
                        ? SnapshotMeta.beforeFirstEntry(bootstrap)
                        : recovered.snapshot().get().meta());
        RecoveredLog source = recovered.log();
        if (source.outline().isPresent()) {
            log.restoreOutline(source.outline().get(), recovered.hardState());
            return log;
        }
        long next = log.lastIndex() + 1;
        while (next <= source.lastIndex()) {
            List<Entry> chunk = source.read(next);
            if (chunk.isEmpty()) {
                throw new IllegalArgumentException(
                        "recovered log ends at " + (next - 1) + ", not " + source.lastIndex());
            }
            for (Entry entry : chunk) {
                RecoveredState.checkNext(recovered.hardState(), entry, next++, log.lastTerm());
                log.append(entry);
            }
            log.evictDurable(source.cacheBytes(), log.lastIndex());
        }
        return log;
    }

    /**
     * Creates a log holding {@code recovered}, which must start at index 1 and be consecutive.
     *
     * @param bootstrap the configuration in force before the log's first configuration entry
     */
    ReplicationLog(QuorumSystem bootstrap, List<Entry> recovered) {
        this(SnapshotMeta.beforeFirstEntry(bootstrap));
        for (Entry entry : recovered) {
            append(entry);
        }
    }

    /** Creates an empty log whose base is {@code base}: a snapshot, or the state before entry 1. */
    private ReplicationLog(SnapshotMeta base) {
        this.bootstrap = base.configuration();
        this.bootstrapIndex = base.configurationIndex();
        this.baseIndex = base.index();
        this.baseTerm = base.term();
        this.terms = new IndexRuns(baseIndex);
    }

    /**
     * Takes a recovered log's terms and configurations with no entry in memory: the cache starts empty, and every
     * entry is read back from the journal when it is needed. All are durable.
     *
     * @throws IllegalArgumentException if the outline does not follow the base or has terms later than {@code hardState}'s
     */
    private void restoreOutline(LogOutline outline, HardState hardState) {
        if (outline.lastIndex() <= baseIndex) {
            return;
        }
        List<LogOutline.TermStart> starts = outline.termStarts();
        if (starts.isEmpty()
                || starts.get(0).index() != baseIndex + 1
                || starts.get(0).term() < baseTerm
                || starts.get(starts.size() - 1).term() > hardState.term()
                || starts.get(starts.size() - 1).index() > outline.lastIndex()) {
            throw new IllegalArgumentException("recovered outline does not follow " + baseIndex + "/" + baseTerm
                    + " with terms up to " + hardState.term() + ": " + starts);
        }
        for (int i = 0; i < starts.size(); i++) {
            long end = i + 1 < starts.size() ? starts.get(i + 1).index() - 1 : outline.lastIndex();
            terms.appendThrough(end, starts.get(i).term());
        }
        for (Entry entry : outline.configurations()) {
            if (entry.index() <= baseIndex || terms.valueAt(entry.index()) != entry.term()) {
                throw new IllegalArgumentException("configuration entry " + entry.index() + " is not in the log");
            }
            configurations.put(entry.index(), ((Entry.ConfigurationChange) entry.payload()).configuration());
            latestConfiguration = configurations.lastEntry();
        }
    }

    /** The configuration in force: the latest configuration entry in the log, committed or not, else the bootstrap. */
    public QuorumSystem configuration() {
        Map.Entry<Long, QuorumSystem> latest = latestConfiguration;
        return latest == null ? bootstrap : latest.getValue();
    }

    /**
     * Index of the latest configuration entry, even one compacted into the snapshot; 0 when the bootstrap
     * configuration is in force. It is the epoch of the view (PROTOCOL.md §13), the same at every member.
     */
    public long configurationIndex() {
        Map.Entry<Long, QuorumSystem> latest = latestConfiguration;
        return latest == null ? bootstrapIndex : latest.getKey();
    }

    /** Index of the configuration entry in force at {@code index} (at least {@link #snapshotIndex()}), as above. */
    public long configurationIndexAt(long index) {
        Long atOrBefore = configurations.floorKey(index);
        return atOrBefore == null ? bootstrapIndex : atOrBefore;
    }

    /** The base: the snapshot the log starts after, or the state before entry 1 under the bootstrap configuration. */
    public SnapshotMeta base() {
        return new SnapshotMeta(baseIndex, baseTerm, bootstrap, bootstrapIndex);
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
        return terms.lastIndex();
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
        checkHeld(index);
        return terms.valueAt(index);
    }

    /**
     * Whether the log holds an entry at {@code index} with {@code term}. The snapshot's position matches its term;
     * an index below the snapshot is committed and compacted, and never matches (the caller decides what that means).
     */
    public boolean matches(long index, long term) {
        return index >= baseIndex && index <= lastIndex() && termAt(index) == term;
    }

    /**
     * The entry at {@code index}, which must be in [firstIndex, lastIndex] and in memory ({@link #inMemory}).
     *
     * @throws IllegalStateException if the entry was evicted and not read back
     */
    public Entry entry(long index) {
        checkHeld(index);
        Entry entry = inMemory(index);
        if (entry == null) {
            throw new IllegalStateException("entry " + index + " was evicted to the journal and not read back");
        }
        return entry;
    }

    /** The entry at {@code index} if its body is in memory (cached or read back), else {@code null}. */
    public Entry inMemory(long index) {
        long cachedFrom = cachedFrom();
        if (index >= cachedFrom && index <= lastIndex()) {
            return cache.get((int) (index - cachedFrom));
        }
        if (!readBack.isEmpty()) {
            long first = readBack.get(0).index();
            if (index >= first && index < first + readBack.size()) {
                return readBack.get((int) (index - first));
            }
        }
        return null;
    }

    /** The first index whose body is in the cache; {@code lastIndex + 1} when the cache is empty. */
    public long cachedFrom() {
        return lastIndex() - cache.size() + 1;
    }

    /** The heap the cached entries take, as {@link #heapBytes} estimates it. */
    public long cachedBytes() {
        return cachedBytes;
    }

    /**
     * Evicts entries from the front of the cache, none later than {@code durableThrough}, until the cache holds at
     * most {@code maxBytes}.
     *
     * @return the bytes the cache holds afterwards
     */
    long evictDurable(long maxBytes, long durableThrough) {
        while (cachedBytes > maxBytes && cache.size() > 0 && cachedFrom() <= durableThrough) {
            cachedBytes -= heapBytes(cache.removeFirst());
        }
        return cachedBytes;
    }

    /**
     * Keeps {@code entries}, read back from the journal, in memory until the next read: those the log still holds
     * with the same term, from the first up to the first that differs (the log may have changed since the read was
     * asked for).
     *
     * @return how many were kept
     */
    int readBack(long from, List<Entry> entries) {
        int kept = 0;
        while (kept < entries.size()
                && entries.get(kept).index() == from + kept
                && heldWithSameTerm(entries.get(kept))) {
            kept++;
        }
        readBack = kept == 0 ? List.of() : List.copyOf(entries.subList(0, kept));
        return kept;
    }

    private boolean heldWithSameTerm(Entry entry) {
        return entry.index() > baseIndex
                && entry.index() <= lastIndex()
                && terms.valueAt(entry.index()) == entry.term();
    }

    /** Appends {@code entry}, which must be at lastIndex + 1 with a term no lower than the last term. */
    void append(Entry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append at " + entry.index() + " to log ending at " + lastIndex());
        }
        if (entry.term() < lastTerm()) {
            throw new IllegalStateException("term " + entry.term() + " after " + lastTerm());
        }
        terms.append(entry.index(), entry.term());
        cache.addLast(entry);
        cachedBytes += heapBytes(entry);
        if (entry.payload() instanceof Entry.ConfigurationChange change) {
            configurations.put(entry.index(), change.configuration());
            latestConfiguration = configurations.lastEntry();
        }
    }

    /** Discards every entry at {@code index} or later. */
    void truncateFrom(long index) {
        if (index <= baseIndex) {
            throw new IllegalArgumentException(
                    "cannot truncate from " + index + ", at or below the snapshot " + baseIndex);
        }
        long dropFromCache = lastIndex() - Math.max(index, cachedFrom()) + 1;
        for (long i = 0; i < dropFromCache; i++) {
            cachedBytes -= heapBytes(cache.removeLast());
        }
        terms.truncateFrom(index);
        dropReadBackFrom(index);
        configurations.tailMap(index, true).clear(); // §2: fall back to the previous configuration
        latestConfiguration = configurations.lastEntry();
    }

    private void dropReadBackFrom(long index) {
        if (!readBack.isEmpty() && readBack.get(readBack.size() - 1).index() >= index) {
            readBack = List.of();
        }
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
        bootstrapIndex = configurationIndexAt(index);
        while (cache.size() > 0 && cachedFrom() <= index) {
            cachedBytes -= heapBytes(cache.removeFirst());
        }
        terms.dropThrough(index);
        readBack = List.of();
        configurations.headMap(index, true).clear();
        latestConfiguration = configurations.lastEntry();
        baseIndex = index;
        baseTerm = term;
    }

    /**
     * Installs a snapshot received from the leader (PROTOCOL.md §8): the entries after it are kept if the log holds
     * the snapshot's last entry with the same term (Raft's rule), otherwise the whole log is replaced by the
     * snapshot. Returns whether a suffix was kept.
     */
    boolean installSnapshot(SnapshotMeta snapshot) {
        long index = snapshot.index();
        long term = snapshot.term();
        if (index <= lastIndex() && index > baseIndex && matches(index, term)) {
            compactTo(index, term);
            return true;
        }
        cache.clear();
        cachedBytes = 0;
        readBack = List.of();
        terms.reset(index);
        configurations.clear();
        latestConfiguration = configurations.lastEntry();
        bootstrap = snapshot.configuration();
        bootstrapIndex = snapshot.configurationIndex();
        baseIndex = index;
        baseTerm = term;
        return false;
    }

    /**
     * Up to {@code maxCount} entries in memory from {@code from}, stopping before {@code maxBytes} would be exceeded
     * (but always at least one entry when any exists) or at the first entry not in memory. Empty if the entry at
     * {@code from} is not in memory: the caller asks for it to be read back ({@link Output.ReadLog}).
     */
    public List<Entry> slice(long from, int maxCount, int maxBytes) {
        if (from > lastIndex()) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i <= lastIndex() && out.size() < maxCount; i++) {
            Entry entry = inMemory(i);
            if (entry == null) {
                break;
            }
            bytes += entry.sizeBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(entry);
        }
        return out;
    }

    /** Entries from {@code from} to the end (for persisting): never evicted, because not yet durable. */
    public List<Entry> suffix(long from) {
        if (from > lastIndex()) {
            return List.of();
        }
        long cachedFrom = cachedFrom();
        if (from < cachedFrom) {
            throw new IllegalStateException("persisting from " + from + " but the cache starts at " + cachedFrom);
        }
        List<Entry> out = new ArrayList<>((int) (lastIndex() - from + 1));
        for (long i = from; i <= lastIndex(); i++) {
            out.add(cache.get((int) (i - cachedFrom)));
        }
        return Collections.unmodifiableList(out);
    }

    /** First index holding {@code term} at or before {@code upTo}, scanning back (conflict hint). */
    public long firstIndexOfTerm(long term, long upTo) {
        long before = upTo - 1;
        if (before <= baseIndex || termAt(before) != term) {
            return upTo;
        }
        return Math.max(baseIndex + 1, terms.runStart(before));
    }

    /** Last index holding {@code term}, or -1 when the log has no entry of that term. */
    public long lastIndexOfTerm(long term) {
        long last = terms.lastIndexOf(term);
        return last > baseIndex ? last : -1;
    }

    /**
     * What an entry costs the heap while cached: its bytes ({@link Entry#sizeBytes}) and the JVM's objects around them
     * (the entry, its payload, array headers, the ring's slot), so that the node's budget bounds the heap, not just
     * the bytes.
     */
    static long heapBytes(Entry entry) {
        return entry.sizeBytes() + ENTRY_OBJECT_BYTES;
    }

    private void checkHeld(long index) {
        if (index <= baseIndex || index > lastIndex()) {
            throw new IndexOutOfBoundsException(
                    "no entry " + index + " in log of (" + baseIndex + ", " + lastIndex() + "]");
        }
    }
}
