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
    /** The heap, by position: each event's time, scheduling sequence and slot in {@link #actions}. */
    private long[] times = new long[1024];

    private long[] sequences = new long[1024];
    private int[] slots = new int[1024];
    /**
     * The events' actions, by slot. They stay put while the heap moves: a sift then copies only primitives, where
     * storing a reference into an old array costs each move the collector's write barrier (G1's includes a fence).
     */
    private Runnable[] actions = new Runnable[1024];
    /** Free slots of {@link #actions}, as a stack. */
    private int[] freeSlots = new int[1024];

    private int freeCount;
    private int size;
    private long now;
    private long scheduled;

    EventQueue() {
        for (int slot = actions.length - 1; slot >= 0; slot--) {
            freeSlots[freeCount++] = slot;
        }
    }

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
            grow();
        }
        int slot = freeSlots[--freeCount];
        actions[slot] = action;
        siftUp(size++, Math.max(atMicros, now), scheduled++, slot);
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
        int slot = slots[0];
        Runnable due = actions[slot];
        actions[slot] = null;
        freeSlots[freeCount++] = slot;
        int last = --size;
        if (last > 0) {
            siftDown(0, times[last], sequences[last], slots[last]);
        }
        return due;
    }

    /** Drops every event still due. */
    void clear() {
        for (int i = 0; i < size; i++) {
            actions[slots[i]] = null;
            freeSlots[freeCount++] = slots[i];
        }
        size = 0;
    }

    /** Doubles every array; the new slots are free. */
    private void grow() {
        int capacity = times.length * 2;
        times = Arrays.copyOf(times, capacity);
        sequences = Arrays.copyOf(sequences, capacity);
        slots = Arrays.copyOf(slots, capacity);
        int oldSlots = actions.length;
        actions = Arrays.copyOf(actions, capacity);
        freeSlots = Arrays.copyOf(freeSlots, capacity);
        for (int slot = capacity - 1; slot >= oldSlots; slot--) {
            freeSlots[freeCount++] = slot;
        }
    }

    private void siftUp(int hole, long time, long sequence, int slot) {
        while (hole > 0) {
            int parent = (hole - 1) >>> 1;
            if (!before(time, sequence, times[parent], sequences[parent])) {
                break;
            }
            move(parent, hole);
            hole = parent;
        }
        put(hole, time, sequence, slot);
    }

    private void siftDown(int hole, long time, long sequence, int slot) {
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
        put(hole, time, sequence, slot);
    }

    private static boolean before(long time, long sequence, long otherTime, long otherSequence) {
        return time < otherTime || (time == otherTime && sequence < otherSequence);
    }

    private void move(int from, int to) {
        times[to] = times[from];
        sequences[to] = sequences[from];
        slots[to] = slots[from];
    }

    private void put(int at, long time, long sequence, int slot) {
        times[at] = time;
        sequences[at] = sequence;
        slots[at] = slot;
    }
}
