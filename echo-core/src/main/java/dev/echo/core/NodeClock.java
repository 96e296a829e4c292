package dev.echo.core;

/**
 * The node's source of time: every timer of the runtime (ticks, request deadlines) reads it, and nothing else. The
 * default is {@link System#nanoTime()}; the simulator gives its own, so that a whole node runs on simulated time
 * (docs/testing.md). Only differences between two readings mean anything, as with {@code System.nanoTime()}.
 *
 * <p>Threading: called from every thread of the node and from the application's threads; must be thread-safe and
 * must not block.
 */
@FunctionalInterface
public interface NodeClock {
    /** The current time in nanoseconds, from an arbitrary origin; never decreases. */
    long nanoTime();

    /** The JVM's monotonic clock. */
    static NodeClock system() {
        return System::nanoTime;
    }
}
