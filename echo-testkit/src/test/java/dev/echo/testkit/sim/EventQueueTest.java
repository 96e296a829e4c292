package dev.echo.testkit.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The simulator's clock runs events in time order, and events due at the same time in the order they came. */
class EventQueueTest {
    /** What a correct queue does: a stable sort by due time, then by scheduling order. */
    private record Due(long time, int order) {}

    @Property(tries = 200)
    void runsEventsByTimeThenByTheOrderTheyWereScheduled(
            @ForAll @Size(max = 3000) List<@IntRange(min = 0, max = 50) Integer> delays,
            @ForAll @IntRange(min = 1, max = 5) int takeEvery) {
        EventQueue queue = new EventQueue();
        List<Due> expected = new ArrayList<>();
        List<Integer> ran = new ArrayList<>();
        // Interleave scheduling and running, so the heap shrinks and grows again, and past its first 1,024 places.
        for (int i = 0; i < delays.size(); i++) {
            int order = i;
            long due = queue.now() + delays.get(i);
            queue.schedule(due, () -> ran.add(order));
            expected.add(new Due(due, order));
            if (i % takeEvery == 0) {
                runOne(queue, expected, ran);
            }
        }
        while (!expected.isEmpty()) {
            runOne(queue, expected, ran);
        }
        assertNull(queue.next(Long.MAX_VALUE));
    }

    @Property(tries = 50)
    void clearDropsEveryEventAndTheQueueWorksOnAfterwards(
            @ForAll @Size(max = 2500) List<@IntRange(min = 0, max = 50) Integer> delays) {
        EventQueue queue = new EventQueue();
        for (int delay : delays) {
            queue.schedule(delay, () -> {
                throw new AssertionError("cleared");
            });
        }
        queue.clear();
        assertNull(queue.next(Long.MAX_VALUE));
        List<String> ran = new ArrayList<>();
        queue.schedule(queue.now() + 2, () -> ran.add("second"));
        queue.schedule(queue.now() + 1, () -> ran.add("first"));
        queue.next(Long.MAX_VALUE).run();
        queue.next(Long.MAX_VALUE).run();
        assertEquals(List.of("first", "second"), ran);
    }

    @Property(tries = 20)
    void anEventLaterThanTheDeadlineWaitsAndTimeMovesToTheDeadline(@ForAll @IntRange(min = 1, max = 1000) int gap) {
        EventQueue queue = new EventQueue();
        queue.schedule(gap, () -> {});
        assertNull(queue.next(gap - 1));
        assertEquals(gap - 1, queue.now());
        assertNotNull(queue.next(gap));
        assertEquals(gap, queue.now());
    }

    private static void runOne(EventQueue queue, List<Due> expected, List<Integer> ran) {
        expected.sort(Comparator.comparingLong(Due::time).thenComparingInt(Due::order));
        Due first = expected.remove(0);
        queue.next(Long.MAX_VALUE).run();
        assertEquals(first.order(), ran.get(ran.size() - 1));
        assertEquals(first.time(), queue.now());
    }
}
