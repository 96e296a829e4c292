package dev.echo.core.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The in-memory replicated log of one member (PROTOCOL.md §4): entries from index 1, consecutive, with
 * non-decreasing terms. Index 0 is the empty prefix with term 0. Not thread-safe; owned by one
 * {@link GroupProtocol}; others get it read-only.
 */
public final class ReplicationLog {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private final QuorumSystem bootstrap;
    /** Index → configuration of every configuration entry in the log (PROTOCOL.md §2: configurations live in it). */
    private final TreeMap<Long, QuorumSystem> configurations = new TreeMap<>();

    /**
     * Creates a log holding {@code recovered}, which must start at index 1 and be consecutive.
     *
     * @param bootstrap the configuration in force before the log's first configuration entry
     */
    ReplicationLog(QuorumSystem bootstrap, List<Entry> recovered) {
        this.bootstrap = bootstrap;
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

    /** The bootstrap configuration, in force before the first configuration entry. */
    public QuorumSystem bootstrapConfiguration() {
        return bootstrap;
    }

    /** Every configuration entry in the log: index → configuration, ascending (read-only view). */
    public SortedMap<Long, QuorumSystem> configurationEntries() {
        return Collections.unmodifiableSortedMap(configurations);
    }

    /** How many configuration entries the log holds after {@code index}. */
    public int configurationEntriesAfter(long index) {
        return configurations.tailMap(index, false).size();
    }

    /** Index of the last entry, 0 when empty. */
    public long lastIndex() {
        return entries.size();
    }

    /** Term of the last entry, 0 when empty. */
    public long lastTerm() {
        return termAt(lastIndex());
    }

    /** Term at {@code index}: 0 for index 0; {@code index} must be in [0, lastIndex]. */
    public long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        return entry(index).term();
    }

    /** Whether the log holds an entry at {@code index} with {@code term} (index 0 always matches term 0). */
    public boolean matches(long index, long term) {
        return index >= 0 && index <= lastIndex() && termAt(index) == term;
    }

    /** The entry at {@code index}, which must be in [1, lastIndex]. */
    public Entry entry(long index) {
        if (index < 1 || index > lastIndex()) {
            throw new IndexOutOfBoundsException("no entry " + index + " in log of " + lastIndex());
        }
        return entries.get((int) (index - 1));
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
        if (index < 1) {
            throw new IllegalArgumentException("cannot truncate from " + index);
        }
        while (lastIndex() >= index) {
            entries.remove(entries.size() - 1);
        }
        configurations.tailMap(index, true).clear(); // §2: fall back to the previous configuration
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
        return Collections.unmodifiableList(new ArrayList<>(entries.subList((int) (from - 1), entries.size())));
    }

    /** First index holding {@code term} at or before {@code upTo}, scanning back (conflict hint). */
    public long firstIndexOfTerm(long term, long upTo) {
        long index = upTo;
        while (index > 1 && termAt(index - 1) == term) {
            index--;
        }
        return index;
    }

    /** Last index holding {@code term}, or -1 when the log has no entry of that term. */
    public long lastIndexOfTerm(long term) {
        for (long i = lastIndex(); i >= 1; i--) {
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
