package dev.echo.testkit.sim;

import java.util.PriorityQueue;

/**
 * A simulator's time and what is due in it: events run in time order, and events due at the same microsecond in the
 * order they were scheduled, so that one seed gives one run. Not thread-safe.
 */
final class EventQueue {
    private record Event(long time, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
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
        queue.add(new Event(Math.max(atMicros, now), scheduled++, action));
    }

    /**
     * The next event due by {@code deadlineMicros}, with time moved to it; or null when none is left (time stays) or
     * the next is later (time moves to the deadline).
     */
    Runnable next(long deadlineMicros) {
        Event event = queue.peek();
        if (event == null) {
            return null;
        }
        if (event.time() > deadlineMicros) {
            now = deadlineMicros;
            return null;
        }
        queue.poll();
        now = event.time();
        return event.action();
    }

    /** Drops every event still due. */
    void clear() {
        queue.clear();
    }
}
