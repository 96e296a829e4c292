package dev.echo.transport.netty.it;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.RecoveredState;
import dev.echo.core.transport.Envelope;
import dev.echo.core.transport.Transport;
import dev.echo.testkit.kv.KvStateMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A minimal real-time driver for one member in the transport integration tests: one thread steps the core on ticks
 * of {@value #TICK_MILLIS} ms and on messages from a real transport; persists go to a {@link Disk} the test keeps
 * across restarts (durable as soon as written, which is all these tests need from storage). The product runtime
 * replaces this; here it exists to show the transports carry a real protocol.
 *
 * <p>Thread-safe entry points ({@link #submit}, {@link #openSession}, {@link #call}) hand work to the loop thread.
 */
final class LiveMember implements AutoCloseable {
    static final int TICK_MILLIS = 10;
    private static final String GROUP = "it";

    /** A member's durable state, kept by the test across restarts. Only the loop thread touches it. */
    static final class Disk {
        private HardState hardState = HardState.INITIAL;
        private final List<Entry> log = new ArrayList<>();

        void apply(Output.Persist persist) {
            persist.hardState().ifPresent(state -> hardState = state);
            if (persist.entries().isEmpty() && persist.firstIndex() > log.size()) {
                return;
            }
            while (log.size() >= persist.firstIndex()) {
                log.remove(log.size() - 1);
            }
            log.addAll(persist.entries());
        }

        RecoveredState recover() {
            return new RecoveredState(hardState, new ArrayList<>(log));
        }
    }

    private final MemberId self;
    private final Transport transport;
    private final Disk disk;
    private final KvStateMachine state = new KvStateMachine();
    private final GroupProtocol core;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>(100_000);
    private final Map<Long, CompletableFuture<Output.Outcome>> pending = new HashMap<>();
    private final Thread loop;
    private volatile boolean running = true;

    LiveMember(MemberId self, QuorumSystem configuration, Transport transport, Disk disk, long seed) throws Exception {
        this.self = self;
        this.transport = transport;
        this.disk = disk;
        this.core = new GroupProtocol(self, configuration, ProtocolOptions.defaults(), disk.recover(), state, seed);
        transport.start(envelope -> inbox.offer(() -> step(new Input.Receive(envelope.message()))));
        this.loop = new Thread(this::run, "live-" + self);
        loop.start();
    }

    /** Opens session {@code clientId} through this member. */
    CompletableFuture<Output.Outcome> openSession(long clientId) {
        return enqueue(key(clientId, 0), new Input.OpenSession(clientId));
    }

    /** Submits a command through this member. */
    CompletableFuture<Output.Outcome> submit(long clientId, long sequence, byte[] command) {
        return enqueue(key(clientId, sequence), new Input.Submit(clientId, sequence, sequence - 1, command));
    }

    /** Runs {@code query} against the core and state machine on the loop thread. */
    <T> CompletableFuture<T> call(Function<Probe, T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        inbox.offer(() -> answer.complete(query.apply(new Probe(core.status(), core.lastApplied(), state.digest()))));
        return answer;
    }

    /**
     * What a test may look at.
     *
     * @param status the member's status
     * @param lastApplied its applied index
     * @param digest its state machine digest
     */
    record Probe(MemberStatus status, long lastApplied, long digest) {}

    @Override
    public void close() {
        running = false;
        try {
            loop.join(5000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        transport.close();
        pending.values().forEach(future -> future.cancel(false));
    }

    private CompletableFuture<Output.Outcome> enqueue(long key, Input input) {
        CompletableFuture<Output.Outcome> outcome = new CompletableFuture<>();
        inbox.offer(() -> {
            CompletableFuture<Output.Outcome> previous = pending.put(key, outcome);
            if (previous != null) {
                previous.cancel(false);
            }
            step(input);
        });
        return outcome;
    }

    private void run() {
        long nextTick = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            if (now >= nextTick) {
                step(new Input.Tick());
                nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
            }
            try {
                Runnable work = inbox.poll(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (work != null) {
                    work.run();
                }
            } catch (InterruptedException interrupted) {
                return;
            }
        }
    }

    private void step(Input input) {
        core.step(input);
        for (Output output : core.drainOutputs()) {
            if (output instanceof Output.Send send) {
                transport.send(send.to(), new Envelope(GROUP, 0, send.message()));
            } else if (output instanceof Output.Persist persist) {
                disk.apply(persist);
                inbox.offer(() -> step(new Input.Persisted(persist.ticket())));
            } else if (output instanceof Output.Completed completed) {
                complete(key(completed.clientId(), completed.sequence()), completed.outcome());
            } else if (output instanceof Output.SessionOpened opened) {
                complete(key(opened.clientId(), 0), opened.outcome());
            }
        }
    }

    private void complete(long key, Output.Outcome outcome) {
        CompletableFuture<Output.Outcome> future = pending.remove(key);
        if (future != null) {
            future.complete(outcome);
        }
    }

    private static long key(long clientId, long sequence) {
        return clientId * 1_000_003L + sequence;
    }

    @Override
    public String toString() {
        return "LiveMember[" + self + "]";
    }
}
