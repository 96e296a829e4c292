package dev.echo.testkit.sim;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.RecoveredState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A member's simulated stable storage. Writes are applied in order; a write is durable only when its simulated
 * fsync completes. A crash loses every write not yet durable, except that a torn write may leave a prefix of the
 * first pending one (what a checksummed journal recovers after a torn tail: PROTOCOL.md §5). Not thread-safe.
 */
public final class SimDisk {
    private HardState hardState = HardState.INITIAL;
    private final ArrayList<Entry> log = new ArrayList<>();
    private final ArrayDeque<Output.Persist> pending = new ArrayDeque<>();
    private long lastCompletionMicros;

    /** The durable term and vote. */
    public HardState hardState() {
        return hardState;
    }

    /** Number of durable log entries. */
    public long lastIndex() {
        return log.size();
    }

    /** Term of the durable entry at {@code index}, or -1 if there is none. */
    public long termAt(long index) {
        return index >= 1 && index <= log.size() ? log.get((int) index - 1).term() : -1;
    }

    /** Queues a write; returns the simulated time its fsync completes (after every earlier one). */
    long write(Output.Persist persist, long nowMicros, long latencyMicros) {
        pending.addLast(persist);
        lastCompletionMicros = Math.max(lastCompletionMicros, nowMicros) + latencyMicros;
        return lastCompletionMicros;
    }

    /** The fsync covering {@code ticket} completed: every write up to it is durable. */
    void complete(long ticket) {
        while (!pending.isEmpty() && pending.peekFirst().ticket() <= ticket) {
            apply(pending.pollFirst(), Integer.MAX_VALUE);
        }
    }

    /** The member crashed: pending writes are lost, or, when {@code torn}, a prefix of the first survives. */
    void crash(boolean torn, SplittableRandom random) {
        if (torn && !pending.isEmpty()) {
            Output.Persist first = pending.peekFirst();
            apply(first, random.nextInt(first.entries().size() + 1));
        }
        pending.clear();
        lastCompletionMicros = 0;
    }

    /** What a restarting member recovers. */
    RecoveredState recover() {
        return new RecoveredState(hardState, new ArrayList<>(log));
    }

    private void apply(Output.Persist persist, int entryLimit) {
        persist.hardState().ifPresent(state -> hardState = state);
        if (persist.entries().isEmpty() && persist.firstIndex() > log.size()) {
            return;
        }
        while (log.size() >= persist.firstIndex()) {
            log.remove(log.size() - 1);
        }
        List<Entry> entries = persist.entries();
        for (int i = 0; i < entries.size() && i < entryLimit; i++) {
            log.add(entries.get(i));
        }
    }
}
