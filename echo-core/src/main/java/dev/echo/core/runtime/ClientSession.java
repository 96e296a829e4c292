package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.RejectReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * This member's exactly-once client session in one group (PROTOCOL.md §6): it opens the session before the first
 * command, numbers commands, tells the core which answers have been delivered (so it may forget them), matches
 * outcomes to futures, and fails what times out. A command is submitted once: the core itself re-forwards it across
 * leader changes until it sees the outcome.
 *
 * <p>Public only so that the testkit's protocol simulator drives the members' real sessions (this package is exported
 * to the testkit alone); applications use {@link dev.echo.core.ReplicatedGroup}.
 *
 * <p>Not thread-safe: owned by the group's loop thread (or the simulator's one thread). Never blocks.
 */
public final class ClientSession {
    private final long clientId;
    private final Consumer<Input> core;
    private final Runnable released;
    private final RuntimeRules rules;
    /** Told when a command commits, with the time it was submitted: the commit latency, for the metrics. */
    private final LongConsumer committedSince;

    private final Map<Long, Pending> commands = new HashMap<>();
    private final Map<Long, Pending> reads = new HashMap<>();
    private final ArrayDeque<Pending> waitingForSession = new ArrayDeque<>();
    private final PriorityQueue<Long> finishedAbove = new PriorityQueue<>();
    /** Commands sent while the loop holds them ({@link #holdCommands}), for one step at {@link #sendHeld}. */
    private final List<Input.Submit> held = new ArrayList<>();

    private boolean holding;
    private boolean open;
    private boolean opening;
    private long nextSequence;
    private long finishedUpTo;
    private long nextReadId;

    /** One operation waiting for its outcome. */
    private static final class Pending {
        final byte[] bytes;
        final boolean read;
        final boolean stale;
        final CompletableFuture<byte[]> future;
        /** When the application submitted it (commands; 0 for reads). */
        final long submittedNanos;

        final long deadlineNanos;
        /** Sent a second time under a new sequence number: only ever by a testkit mutant. */
        final boolean resent;

        Pending(
                byte[] bytes,
                boolean read,
                boolean stale,
                CompletableFuture<byte[]> future,
                long submittedNanos,
                long deadlineNanos) {
            this(bytes, read, stale, future, submittedNanos, deadlineNanos, false);
        }

        private Pending(
                byte[] bytes,
                boolean read,
                boolean stale,
                CompletableFuture<byte[]> future,
                long submittedNanos,
                long deadlineNanos,
                boolean resent) {
            this.bytes = bytes;
            this.read = read;
            this.stale = stale;
            this.future = future;
            this.submittedNanos = submittedNanos;
            this.deadlineNanos = deadlineNanos;
            this.resent = resent;
        }

        Pending resentUntil(long newDeadlineNanos) {
            return new Pending(bytes, read, stale, future, submittedNanos, newDeadlineNanos, true);
        }
    }

    /** How long a mutant's second copy of a late command waits before it, too, is given up on. */
    private static final long RESEND_GRACE_NANOS = 1_000_000_000L;

    /**
     * Creates a session.
     *
     * @param clientId the session id, unique per member and life (random)
     * @param core steps an input into the core
     * @param released called once per finished operation (frees an in-flight permit)
     * @param rules {@link RuntimeRules#STRICT} except in the testkit's mutants
     */
    public ClientSession(long clientId, Consumer<Input> core, Runnable released, RuntimeRules rules) {
        this(clientId, core, released, rules, submitted -> {});
    }

    /**
     * Creates a session that times its commits.
     *
     * @param committedSince called, on the session's thread, with the submission time of every command that commits,
     *     before its future completes: timing the commit here costs no callback on the future
     */
    public ClientSession(
            long clientId, Consumer<Input> core, Runnable released, RuntimeRules rules, LongConsumer committedSince) {
        this.clientId = clientId;
        this.core = core;
        this.released = released;
        this.rules = rules;
        this.committedSince = committedSince;
    }

    /**
     * Submits a command: sent at once if the session is open, else after it opens; refused with {@code NO_QUORUM}
     * without being sent if the session is not open and the member has no quorum.
     *
     * @param submittedNanos when the application submitted it, on the node's clock (for the commit latency)
     */
    public void submit(
            byte[] command,
            CompletableFuture<byte[]> future,
            long submittedNanos,
            long deadlineNanos,
            boolean hasQuorum) {
        Pending pending = new Pending(command, false, false, future, submittedNanos, deadlineNanos);
        if (!open && !hasQuorum) {
            // Never sent: certainly not applied. (An open request still in flight may wait for a quorum forever.)
            fail(pending, Rejections.of(RejectReason.NO_QUORUM));
            return;
        }
        if (!open) {
            waitingForSession.add(pending);
            if (!opening) {
                opening = true;
                stepHeld();
                core.accept(new Input.OpenSession(clientId));
            }
            return;
        }
        send(pending);
    }

    /** Sends a read: linearizable through the core's read barrier, or {@code stale} from local state. */
    public void read(byte[] query, boolean stale, CompletableFuture<byte[]> future, long deadlineNanos) {
        long readId = ++nextReadId;
        reads.put(readId, new Pending(query, true, stale, future, 0, deadlineNanos));
        stepHeld(); // the core sees this session's operations in the order they came
        core.accept(new Input.Read(readId, query, stale || !rules.readsWaitForTheBarrier()));
    }

    /**
     * From now until {@link #sendHeld}, commands are numbered and kept rather than stepped one by one: the loop calls
     * this before it takes a run of queued operations, so that the commands of the run reach the core in one step
     * ({@link Input.Submits}), written and replicated together.
     */
    public void holdCommands() {
        holding = true;
    }

    /** Hands the commands held since {@link #holdCommands} to the core in one step, and stops holding. */
    public void sendHeld() {
        holding = false;
        stepHeld();
    }

    private void stepHeld() {
        if (held.size() == 1) {
            core.accept(held.get(0));
        } else if (!held.isEmpty()) {
            core.accept(new Input.Submits(held));
        }
        held.clear();
    }

    /** The core's answer to opening the session: sends the commands that waited, or fails them. */
    public void sessionOpened(Output.Outcome outcome) {
        opening = false;
        if (outcome instanceof Output.Committed) {
            open = true;
            for (Pending pending = waitingForSession.poll(); pending != null; pending = waitingForSession.poll()) {
                send(pending);
            }
        } else {
            EchoException failure = failureOf(outcome);
            for (Pending pending = waitingForSession.poll(); pending != null; pending = waitingForSession.poll()) {
                fail(pending, failure);
            }
        }
    }

    /** The core's final outcome of command {@code sequence}: completes its future, if still awaited. */
    public void completed(long sequence, Output.Outcome outcome) {
        Pending pending = commands.remove(sequence);
        if (pending == null) {
            return; // timed out earlier; its answer is no longer awaited
        }
        finished(sequence);
        if (outcome instanceof Output.Committed committed) {
            committedSince.accept(pending.submittedNanos);
            succeed(pending, committed.result());
        } else {
            if (outcome instanceof Output.Rejected rejected && rejected.reason() == RejectReason.SESSION_EXPIRED) {
                open = false; // the next command opens the session again
            }
            fail(pending, failureOf(outcome));
        }
    }

    /**
     * Whether command {@code sequence} still waits for its outcome: false once answered, or given up on at its
     * deadline (the core may still report an outcome for it later, which no one hears).
     */
    public boolean awaits(long sequence) {
        return commands.containsKey(sequence);
    }

    /** The core's outcome of read {@code readId}: completes its future, if still awaited. */
    public void readCompleted(long readId, Output.Outcome outcome) {
        Pending pending = reads.remove(readId);
        if (pending == null) {
            return;
        }
        if (outcome instanceof Output.Committed committed) {
            succeed(pending, committed.result());
        } else {
            fail(pending, failureOf(outcome));
        }
    }

    /** Fails every operation whose deadline has passed with {@code TIMEOUT} (outcome unknown). */
    public void expire(long nowNanos) {
        expire(commands, nowNanos, true);
        expire(reads, nowNanos, false);
        for (Iterator<Pending> it = waitingForSession.iterator(); it.hasNext(); ) {
            Pending pending = it.next();
            if (nowNanos - pending.deadlineNanos >= 0) {
                it.remove();
                fail(pending, new EchoException(EchoException.Reason.TIMEOUT, "the session did not open in time"));
            }
        }
    }

    /** The member lost the quorum: commands still waiting for the session to open were never sent; fail them. */
    public void quorumLost() {
        for (Pending pending = waitingForSession.poll(); pending != null; pending = waitingForSession.poll()) {
            fail(pending, Rejections.of(RejectReason.NO_QUORUM));
        }
    }

    /** Fails everything still waiting, with {@code cause}. */
    public void failAll(EchoException cause) {
        commands.values().forEach(pending -> fail(pending, cause));
        reads.values().forEach(pending -> fail(pending, cause));
        waitingForSession.forEach(pending -> fail(pending, cause));
        held.clear(); // failed with the rest: never stepped, so never applied
        holding = false;
        commands.clear();
        reads.clear();
        waitingForSession.clear();
    }

    private void expire(Map<Long, Pending> pendings, long nowNanos, boolean commandsMap) {
        List<Pending> resend = null; // only a testkit mutant resends; no allocation per tick otherwise
        for (Iterator<Map.Entry<Long, Pending>> it = pendings.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Pending> entry = it.next();
            if (nowNanos - entry.getValue().deadlineNanos >= 0) {
                it.remove();
                if (commandsMap) {
                    // Given up on: the client was told "unknown", nobody will ask for this answer again.
                    finished(entry.getKey());
                    if (!rules.commandsAreSentOnce() && !entry.getValue().resent) {
                        if (resend == null) {
                            resend = new ArrayList<>();
                        }
                        resend.add(entry.getValue().resentUntil(nowNanos + RESEND_GRACE_NANOS)); // a mutant's bug
                        continue;
                    }
                }
                fail(
                        entry.getValue(),
                        rules.reportExpiredOperationsAsUnknown()
                                ? new EchoException(
                                        EchoException.Reason.TIMEOUT,
                                        "no outcome in time; it may or may not have been applied")
                                : Rejections.of(RejectReason.NO_QUORUM)); // a mutant's lie: "certainly not applied"
            }
        }
        if (resend != null) {
            resend.forEach(this::send);
        }
    }

    private void send(Pending pending) {
        long sequence = ++nextSequence;
        commands.put(sequence, pending);
        Input.Submit submit = new Input.Submit(clientId, sequence, finishedUpTo, pending.bytes);
        if (holding) {
            held.add(submit);
        } else {
            core.accept(submit);
        }
    }

    /** Advances the acknowledged sequence over every contiguous finished one. */
    private void finished(long sequence) {
        if (sequence == finishedUpTo + 1 && finishedAbove.isEmpty()) {
            finishedUpTo = sequence; // answered in order, the usual case: nothing to queue
            return;
        }
        finishedAbove.add(sequence);
        while (!finishedAbove.isEmpty() && finishedAbove.peek() == finishedUpTo + 1) {
            finishedUpTo = finishedAbove.poll();
        }
    }

    private void succeed(Pending pending, byte[] result) {
        released.run();
        pending.future.complete(result);
    }

    private void fail(Pending pending, EchoException cause) {
        released.run();
        pending.future.completeExceptionally(cause);
    }

    /** The exception for an outcome that is not a success. */
    static EchoException failureOf(Output.Outcome outcome) {
        if (outcome instanceof Output.Rejected rejected) {
            return Rejections.of(rejected.reason());
        }
        String why = outcome instanceof Output.Abandoned abandoned ? abandoned.reason() : String.valueOf(outcome);
        return new EchoException(EchoException.Reason.TIMEOUT, "outcome unknown: " + why);
    }
}
