package dev.echo.testkit.check;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.QuorumSystem;
import java.util.ArrayList;

/**
 * The ghost log of commits (PROTOCOL.md §11.6): every entry any member ever reported committed, as the checkers
 * saw it first. Committed entries must never change. Not thread-safe.
 */
public final class CommittedLog {
    private final ArrayList<Long> prefix = new ArrayList<>();
    private final ArrayList<Entry> entries = new ArrayList<>();

    CommittedLog() {
        prefix.add(0L);
        entries.add(null);
    }

    /** Highest index known committed anywhere. */
    public long lastIndex() {
        return prefix.size() - 1;
    }

    /** Prefix hash of the committed log up to {@code index}. */
    public long prefixHash(long index) {
        return prefix.get((int) index);
    }

    /** The committed entry at {@code index}. */
    public Entry entry(long index) {
        return entries.get((int) index);
    }

    /**
     * The index of the configuration entry in force at {@code index} (at most {@link #lastIndex()}), 0 while the
     * bootstrap configuration is: the epoch of the view there (PROTOCOL.md §13).
     */
    public long configurationIndexAt(long index) {
        for (long i = index; i >= 1; i--) {
            if (entry(i).payload() instanceof Entry.ConfigurationChange) {
                return i;
            }
        }
        return 0;
    }

    /** The configuration in force at {@code index}: that of {@link #configurationIndexAt}'s entry, or the bootstrap. */
    public QuorumSystem configurationAt(long index, QuorumSystem bootstrap) {
        long at = configurationIndexAt(index);
        return at == 0 ? bootstrap : ((Entry.ConfigurationChange) entry(at).payload()).configuration();
    }

    void add(Entry entry, long prefixHash) {
        entries.add(entry);
        prefix.add(prefixHash);
    }
}
