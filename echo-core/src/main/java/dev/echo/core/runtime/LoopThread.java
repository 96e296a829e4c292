package dev.echo.core.runtime;

import dev.echo.core.NodeClock;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One loop thread: it runs the groups pinned to it, one at a time, whenever they have work, and ticks every group
 * once per tick. When idle it parks until the next tick or until a group is scheduled (an unpark), so an idle node
 * costs one wake-up per tick per loop thread, not per group.
 *
 * <p>Time comes from the node's {@link NodeClock}: under the simulator the clock is simulated and no thread is
 * started; the invoker calls {@link #runOnce}. The thread and its parking are the edge where real time enters.
 *
 * <p>Hosted ({@link #startOn}): no thread of its own; the passes run as tasks of an executor the transport offers (its
 * I/O thread), so a message read there is stepped and answered on that thread without a hand-off
 * (docs/architecture.md, "Threads"). Scheduling from the host's own thread queues a task and wakes nobody.
 *
 * <p>Thread-safe: {@link #schedule} from any thread; {@link #runOnce} only from the owning thread (or the invoker).
 */
public final class LoopThread {
    /** What a loop runs: a {@link GroupLoop}, or a test's stand-in. Both methods are called from passes only. */
    interface Pinned {
        /** One tick of logical time. */
        void tick();

        /** Processes what was scheduled. */
        void run();
    }

    private final ConcurrentLinkedQueue<Pinned> ready = new ConcurrentLinkedQueue<>();
    private final List<Pinned> groups = new CopyOnWriteArrayList<>();
    private final long tickNanos;
    private final NodeClock clock;
    /**
     * Run after every pass on this loop's thread (not by the invoker): the node's writes, when its journal has no
     * writer thread of its own ({@link dev.echo.core.storage.Journal#writesOnCallerThreads}).
     */
    private final Runnable afterPass;

    private volatile Thread thread;
    private volatile boolean parked;
    private volatile boolean running = true;
    private long nextTick;
    /** The executor the passes run on when hosted; null while the loop runs its own thread (or the invoker's). */
    private volatile ScheduledExecutorService host;
    /** A hosted pass is queued on the host and has not begun: further schedules need not queue another. */
    private final AtomicBoolean hostedPassQueued = new AtomicBoolean();
    /** The thread running a hosted pass now, or null: passes never overlap, whatever the executor. */
    private final AtomicReference<Thread> hostedPassRunner = new AtomicReference<>();

    private ScheduledFuture<?> hostedTicks;

    /** The length of one tick. */
    long tickNanos() {
        return tickNanos;
    }

    LoopThread(long tickNanos, NodeClock clock) {
        this(tickNanos, clock, () -> {});
    }

    LoopThread(long tickNanos, NodeClock clock, Runnable afterPass) {
        this.tickNanos = tickNanos;
        this.clock = clock;
        this.afterPass = afterPass;
        this.nextTick = clock.nanoTime() + tickNanos;
    }

    /** The node's time, as every timer of this thread's groups reads it. */
    long now() {
        return clock.nanoTime();
    }

    void start(String name) {
        Thread started = new Thread(this::run, name);
        started.setDaemon(true);
        thread = started;
        started.start();
    }

    /**
     * Runs the passes on {@code executor} instead of a thread of this loop's own: one at every tick, and one soon after
     * any {@link #schedule}. Called once, instead of {@link #start}.
     */
    void startOn(ScheduledExecutorService executor) {
        nextTick = clock.nanoTime() + tickNanos;
        host = executor;
        hostedTicks = executor.scheduleAtFixedRate(this::runHostedPass, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    private void runHostedPass() {
        hostedPassQueued.set(false); // before the pass: a group scheduled during it queues the next one
        if (!running) {
            return;
        }
        if (!hostedPassRunner.compareAndSet(null, Thread.currentThread())) {
            queueHostedPass(); // another thread of the executor is in a pass: this one comes after it
            return;
        }
        try {
            runOnce();
            afterPass.run();
        } finally {
            hostedPassRunner.set(null);
        }
    }

    private void queueHostedPass() {
        ScheduledExecutorService executor = host;
        if (hostedPassQueued.compareAndSet(false, true)) {
            try {
                executor.execute(this::runHostedPass);
            } catch (RejectedExecutionException shutDown) {
                hostedPassQueued.set(false); // the transport is closing: the node stops its groups anyway
            }
        }
    }

    void add(Pinned group) {
        groups.add(group);
    }

    void remove(Pinned group) {
        groups.remove(group);
    }

    int groupCount() {
        return groups.size();
    }

    /** Makes {@code group} run soon; wakes the thread if it is parked. */
    void schedule(Pinned group) {
        ready.add(group);
        if (host != null) {
            queueHostedPass();
            return;
        }
        if (parked) {
            Thread owner = thread;
            if (owner != null) {
                LockSupport.unpark(owner);
            }
        }
    }

    /**
     * Runs due ticks and every scheduled group once.
     *
     * @return whether there was any work
     */
    boolean runOnce() {
        boolean worked = false;
        long now = clock.nanoTime();
        if (now - nextTick >= 0) {
            for (Pinned group : groups) {
                group.tick();
            }
            nextTick += tickNanos;
            if (now - nextTick >= 0) {
                nextTick = now + tickNanos; // fell behind: skip ticks rather than run a burst of them
            }
            worked = true;
        }
        // Only the groups ready now: a group that schedules itself again while it runs (an application answering
        // every completion with a new operation) waits for the next pass, so ticks and other groups still come.
        for (int pending = ready.size(); pending > 0; pending--) {
            Pinned group = ready.poll();
            if (group == null) {
                break;
            }
            group.run();
            worked = true;
        }
        return worked;
    }

    void stop() {
        running = false;
        if (hostedTicks != null) {
            hostedTicks.cancel(false);
            awaitHostedPass();
        }
        Thread owner = thread;
        if (owner != null) {
            LockSupport.unpark(owner);
            try {
                owner.join(5_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits (up to 5 s) for a hosted pass under way on another thread to end: after stop, no pass touches a group. */
    private void awaitHostedPass() {
        long deadline = clock.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Thread runner = hostedPassRunner.get();
                runner != null && runner != Thread.currentThread() && clock.nanoTime() - deadline < 0;
                runner = hostedPassRunner.get()) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private void run() {
        while (running) {
            boolean worked = runOnce();
            afterPass.run();
            if (worked) {
                continue;
            }
            parked = true;
            // Re-check after announcing the park: a schedule() that saw parked == false has already queued.
            if (ready.isEmpty() && running) {
                LockSupport.parkNanos(this, Math.max(1, nextTick - clock.nanoTime()));
            }
            parked = false;
        }
    }
}
