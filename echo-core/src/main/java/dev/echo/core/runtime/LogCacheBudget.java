package dev.echo.core.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's budget of cached log entries, in bytes, shared by all its groups (docs/architecture.md, "The log cache").
 * A group may hold its fair share (the budget over the number of groups), or more while the others leave room; each
 * group evicts its own oldest durable entries down to what it may hold, after each pass of its loop and on each tick,
 * so an idle group gives back what a busy one needs within a tick. Entries not yet durable are never evicted, so a
 * group can exceed its share while its writes are in flight; the in-flight limit bounds that.
 *
 * <p>Threading: thread-safe; each group reports only its own holding, from its loop thread.
 */
final class LogCacheBudget {
    private final long limitBytes;
    private final AtomicLong heldBytes = new AtomicLong();
    private final AtomicInteger groups = new AtomicInteger();

    LogCacheBudget(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("the log cache budget must not be negative: " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /** The bytes all groups hold, as last reported. */
    long heldBytes() {
        return heldBytes.get();
    }

    void groupOpened() {
        groups.incrementAndGet();
    }

    /** A group closed and gave back the {@code held} bytes it last reported. */
    void groupClosed(long held) {
        groups.decrementAndGet();
        heldBytes.addAndGet(-held);
    }

    /** What a group that last reported {@code held} bytes may hold now. */
    long allowance(long held) {
        long others = heldBytes.get() - held;
        return Math.max(limitBytes / Math.max(1, groups.get()), limitBytes - others);
    }

    /** A group's holding went from {@code before} to {@code after} bytes. */
    void changed(long before, long after) {
        if (before != after) {
            heldBytes.addAndGet(after - before);
        }
    }
}
