package dev.echo.testkit.sim;

import java.util.Arrays;

/**
 * A simulator's time and what is due in it: events run in time order, and events due at the same microsecond in the
 * order they were scheduled, so that one seed gives one run. Not thread-safe.
 *
 * <p>A binary heap over parallel arrays rather than a {@code PriorityQueue} of event objects: every message, tick and
 * disk batch of a run passes through here, and comparing two primitives in place is what keeps the whole-node
 * simulator's rate up (issue 19). (time, sequence) is unique, so the order is the same as any correct heap's.
 */
final class EventQueue {
    private long[] times = new long[1024];
    private long[] sequences = new long[1024];
    private Runnable[] actions = new Runnable[1024];
    private int size;
    private long now;
    private long scheduled;

    /** Simulated time, in microseconds: the time of the event running or last run. */
    long now() {
        return now;
    }

    /** How many events were ever scheduled. */
    long scheduled() {
        return scheduled;
    }

    /** Runs {@code action} at {@code atMicros}, or now if that is past. */
    void schedule(long atMicros, Runnable action) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            sequences = Arrays.copyOf(sequences, size * 2);
            actions = Arrays.copyOf(actions, size * 2);
        }
        siftUp(size++, Math.max(atMicros, now), scheduled++, action);
    }

    /**
     * The next event due by {@code deadlineMicros}, with time moved to it; or null when none is left (time stays) or
     * the next is later (time moves to the deadline).
     */
    Runnable next(long deadlineMicros) {
        if (size == 0) {
            return null;
        }
        if (times[0] > deadlineMicros) {
            now = deadlineMicros;
            return null;
        }
        now = times[0];
        Runnable due = actions[0];
        int last = --size;
        if (last > 0) {
            siftDown(0, times[last], sequences[last], actions[last]);
        }
        actions[last] = null;
        return due;
    }

    /** Drops every event still due. */
    void clear() {
        Arrays.fill(actions, 0, size, null);
        size = 0;
    }

    private void siftUp(int hole, long time, long sequence, Runnable action) {
        while (hole > 0) {
            int parent = (hole - 1) >>> 1;
            if (!before(time, sequence, times[parent], sequences[parent])) {
                break;
            }
            move(parent, hole);
            hole = parent;
        }
        put(hole, time, sequence, action);
    }

    private void siftDown(int hole, long time, long sequence, Runnable action) {
        int half = size >>> 1;
        while (hole < half) {
            int child = 2 * hole + 1;
            int right = child + 1;
            if (right < size && before(times[right], sequences[right], times[child], sequences[child])) {
                child = right;
            }
            if (!before(times[child], sequences[child], time, sequence)) {
                break;
            }
            move(child, hole);
            hole = child;
        }
        put(hole, time, sequence, action);
    }

    private static boolean before(long time, long sequence, long otherTime, long otherSequence) {
        return time < otherTime || (time == otherTime && sequence < otherSequence);
    }

    private void move(int from, int to) {
        times[to] = times[from];
        sequences[to] = sequences[from];
        actions[to] = actions[from];
    }

    private void put(int at, long time, long sequence, Runnable action) {
        times[at] = time;
        sequences[at] = sequence;
        actions[at] = action;
    }
}
