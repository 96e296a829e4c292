package dev.echo.testkit.sim;

import dev.echo.core.EchoException;
import dev.echo.core.ReplicatedGroup;
import dev.echo.testkit.lin.Linearizability;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The whole-node simulator's clients: each runs one request at a time from the application's {@link ClientWorkload}
 * at a random member that is up, through the public API only, and records the history for the linearizability
 * check. Sessions and retries are the runtime's own. A client that hears nothing within its patience records a
 * command's outcome as unknown and moves on.
 *
 * <p>Not thread-safe: for the single-threaded simulator.
 */
final class NodeClients {
    private static final long PATIENCE_MICROS = 3_000_000;

    /** A member a client may ask: its group, and how to let it run what the request started. */
    record Target(ReplicatedGroup group, Runnable drain) {}

    private final EventQueue events;
    private final SplittableRandom random;
    private final boolean bursts;
    private final ClientWorkload workload;
    private final Supplier<Target> anyMemberUp;
    private final Consumer<String> log;
    private final List<Linearizability.Operation> history = new ArrayList<>();
    /** Each client's operation in flight, if any, as the action that gives up on it. */
    private final TreeMap<Integer, Runnable> inFlight = new TreeMap<>();

    private long healedAt = Long.MAX_VALUE;
    private boolean committedAfterHeal;
    private boolean stopped;

    /**
     * @param bursts whether a member is run at once after only half of the operations ({@link Fault#BURSTS})
     * @param anyMemberUp a random member that is up, or null if none is
     * @param log the simulation's transcript
     */
    NodeClients(
            EventQueue events,
            SplittableRandom random,
            boolean bursts,
            ClientWorkload workload,
            Supplier<Target> anyMemberUp,
            Consumer<String> log) {
        this.events = events;
        this.random = random;
        this.bursts = bursts;
        this.workload = workload;
        this.anyMemberUp = anyMemberUp;
        this.log = log;
    }

    /** Starts {@code count} clients within the first 50 ms. */
    void start(int count) {
        for (int client = 0; client < count; client++) {
            int index = client;
            events.schedule(random.nextLong(50_000), () -> nextOperation(index));
        }
    }

    /** Every fault healed now: a command invoked from now on that commits proves the group live again. */
    void healed() {
        healedAt = events.now();
    }

    boolean committedAfterHeal() {
        return committedAfterHeal;
    }

    /** Starts nothing more; operations still in flight end with their outcome unknown. Returns the history. */
    List<Linearizability.Operation> stop() {
        stopped = true;
        new ArrayList<>(inFlight.values()).forEach(Runnable::run);
        return history;
    }

    /** The operations recorded so far. */
    List<Linearizability.Operation> history() {
        return history;
    }

    private void nextOperation(int client) {
        if (stopped) {
            return;
        }
        Target member = anyMemberUp.get();
        if (member == null) {
            events.schedule(events.now() + 100_000, () -> nextOperation(client));
            return;
        }
        ClientWorkload.Request request = workload.next(random, client);
        long invoked = events.now();
        CompletableFuture<byte[]> answer = request.query()
                ? member.group().read(request.bytes().clone())
                : member.group().submit(request.bytes().clone());
        boolean[] settled = new boolean[1];
        // A client whose member crashed hears nothing: after a while, or when the run ends, it stops waiting.
        Runnable giveUp = () -> {
            if (!settled[0]) {
                settled[0] = true;
                inFlight.remove(client);
                EchoException unknown = new EchoException(EchoException.Reason.TIMEOUT, "no answer");
                finished(client, request, invoked, null, unknown);
            }
        };
        inFlight.put(client, giveUp);
        answer.whenComplete((result, error) -> {
            if (!settled[0]) {
                settled[0] = true;
                inFlight.remove(client);
                finished(client, request, invoked, result, error);
            }
        });
        events.schedule(events.now() + PATIENCE_MICROS, giveUp);
        if (!bursts || random.nextBoolean()) {
            member.drain().run(); // else it waits for the member's next tick, message or disk batch, with others
        }
    }

    private void finished(int client, ClientWorkload.Request request, long invoked, byte[] result, Throwable error) {
        long now = events.now();
        String kind = request.query() ? " query" : " command";
        if (error == null) {
            history.add(new Linearizability.Operation(client, request.query(), request.bytes(), invoked, now, result));
            log.accept("c" + client + kind + " answered in " + (now - invoked) + " us");
            if (!request.query() && invoked >= healedAt) {
                committedAfterHeal = true;
            }
        } else {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            boolean notApplied = cause instanceof EchoException echo && echo.certainlyNotApplied();
            if (!request.query() && !notApplied) {
                history.add(
                        new Linearizability.Operation(client, false, request.bytes(), invoked, Long.MAX_VALUE, null));
            }
            log.accept("c" + client + kind + " failed: " + cause.getMessage());
        }
        events.schedule(now + random.nextLong(20_000), () -> nextOperation(client));
    }
}
