package dev.echo.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.NodeClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop hosted on an executor ({@link LoopThread#startOn}, docs/architecture.md "Threads"): whatever the executor's
 * threads, its passes never overlap (a group's core is stepped by one thread at a time), every schedule is followed by
 * a run of that group, ticks come, and after {@link LoopThread#stop} nothing runs.
 */
class HostedLoopTest {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Four threads: a host that would run two passes at once if the loop let it. */
    private final ScheduledExecutorService host = Executors.newScheduledThreadPool(4);

    private final ExecutorService schedulers = Executors.newFixedThreadPool(4);

    @AfterEach
    void shutDown() {
        host.shutdownNow();
        schedulers.shutdownNow();
    }

    @Test
    void passesNeverOverlapAndEveryScheduleIsFollowedByARun() throws Exception {
        LoopThread loop = new LoopThread(TICK_NANOS, NodeClock.system());
        AtomicBoolean inPass = new AtomicBoolean();
        AtomicBoolean overlapped = new AtomicBoolean();
        Fake a = new Fake(inPass, overlapped);
        Fake b = new Fake(inPass, overlapped);
        loop.add(a);
        loop.add(b);
        loop.startOn(host);

        List<Future<?>> scheduling = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Fake target = t % 2 == 0 ? a : b;
            scheduling.add(schedulers.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    loop.schedule(target);
                }
            }));
        }
        for (Future<?> done : scheduling) {
            done.get(30, TimeUnit.SECONDS);
        }
        for (Fake fake : List.of(a, b)) {
            CountDownLatch ran = fake.expectRun();
            loop.schedule(fake);
            assertTrue(ran.await(30, TimeUnit.SECONDS), "a schedule after the burst runs the group");
        }
        CountDownLatch ticked = a.expectTick();
        assertTrue(ticked.await(30, TimeUnit.SECONDS), "ticks come while hosted");
        assertFalse(overlapped.get(), "two passes ran at once");
        assertTrue(a.runs.get() > 0 && b.runs.get() > 0);

        loop.stop();
        long runsAtStop = a.runs.get() + b.runs.get();
        long ticksAtStop = a.ticks.get() + b.ticks.get();
        loop.schedule(a);
        loop.schedule(b);
        host.shutdown();
        assertTrue(host.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(runsAtStop, a.runs.get() + b.runs.get(), "nothing runs after stop");
        assertEquals(ticksAtStop, a.ticks.get() + b.ticks.get(), "nothing ticks after stop");
        assertFalse(overlapped.get(), "two passes ran at once");
    }

    /** A group that records its runs and ticks, and whether another pass was in progress when it was called. */
    private static final class Fake implements LoopThread.Pinned {
        final AtomicLong runs = new AtomicLong();
        final AtomicLong ticks = new AtomicLong();
        private final AtomicBoolean inPass;
        private final AtomicBoolean overlapped;
        private volatile CountDownLatch nextRun;
        private volatile CountDownLatch nextTick;

        Fake(AtomicBoolean inPass, AtomicBoolean overlapped) {
            this.inPass = inPass;
            this.overlapped = overlapped;
        }

        CountDownLatch expectRun() {
            CountDownLatch latch = new CountDownLatch(1);
            nextRun = latch;
            return latch;
        }

        CountDownLatch expectTick() {
            CountDownLatch latch = new CountDownLatch(1);
            nextTick = latch;
            return latch;
        }

        @Override
        public void tick() {
            called(ticks, nextTick);
        }

        @Override
        public void run() {
            called(runs, nextRun);
        }

        /** Counts a call made inside a pass, and releases whoever awaits the next such call. */
        private void called(AtomicLong count, CountDownLatch awaited) {
            enter();
            count.incrementAndGet();
            if (awaited != null) {
                awaited.countDown();
            }
            leave();
        }

        private void enter() {
            if (!inPass.compareAndSet(false, true)) {
                overlapped.set(true);
            }
            Thread.onSpinWait(); // widen the window in which an overlapping pass would be seen
        }

        private void leave() {
            inPass.set(false);
        }
    }
}
