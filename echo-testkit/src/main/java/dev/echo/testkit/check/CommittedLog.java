package dev.echo.testkit.check;

import dev.echo.core.protocol.Entry;
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

    void add(Entry entry, long prefixHash) {
        entries.add(entry);
        prefix.add(prefixHash);
    }
}
