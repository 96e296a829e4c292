package dev.echo.testkit.check;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.ReplicationLog;
import java.util.ArrayList;
import java.util.function.LongFunction;

/**
 * The checkers' copy of one member's in-memory log as prefix hashes, maintained from the member's
 * {@link Output.Persist} outputs: if the core ever changed its log without saying so, the mirror and the log
 * diverge and the checker reports it. Not thread-safe.
 */
public final class LogMirror {
    /** prefix[i] = hash of entries 1..i; prefix[0] = 0. */
    private final ArrayList<Long> prefix = new ArrayList<>();

    LogMirror() {
        prefix.add(0L);
    }

    /** Index of the last mirrored entry. */
    public long lastIndex() {
        return prefix.size() - 1;
    }

    /** Hash of the prefix 1..{@code index}. */
    public long prefixHash(long index) {
        return prefix.get((int) index);
    }

    /**
     * Rebuilds the mirror from {@code log} (after a restart, or after a snapshot replaced it). What the log's snapshot
     * covers is committed, so its hashes are the ghost log's: §11.13 checks the snapshot against it separately.
     */
    void rebuild(ReplicationLog log, LongFunction<Entry> entryAt, CommittedLog committed) {
        prefix.subList(1, prefix.size()).clear();
        long base = log.snapshotIndex();
        if (base > committed.lastIndex()) {
            throw new InvariantViolation(
                    "§11.13 snapshots hold committed state",
                    "a log starts after a snapshot at " + base + ", beyond every commit seen (" + committed.lastIndex()
                            + ")");
        }
        for (long i = 1; i <= base; i++) {
            prefix.add(committed.prefixHash(i));
        }
        extend(log, entryAt, base + 1);
    }

    /** Applies {@code persist}'s log change, reading the new entries through {@code entryAt}. */
    void apply(Output.Persist persist, ReplicationLog log, LongFunction<Entry> entryAt) {
        long first = persist.firstIndex();
        if (first <= lastIndex()) {
            prefix.subList((int) first, prefix.size()).clear();
        }
        extend(log, entryAt, first);
    }

    private void extend(ReplicationLog log, LongFunction<Entry> entryAt, long from) {
        for (long i = Math.max(from, prefix.size()); i <= log.lastIndex(); i++) {
            prefix.add(EntryHash.chain(prefix.get((int) i - 1), entryAt.apply(i)));
        }
    }
}
