package dev.echo.testkit.sim;

import dev.echo.core.EchoException;
import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.Output;
import dev.echo.core.runtime.ClientSession;
import dev.echo.core.runtime.RuntimeRules;
import dev.echo.testkit.check.ExactlyOnce;
import dev.echo.testkit.kv.KvCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The protocol simulator's clients. Each life of each member runs the runtime's own {@link ClientSession} (PROTOCOL.md
 * §6: the member opens the session, numbers the commands and tells the core what was delivered; the core forwards and
 * retries them itself), exactly as a node does. Each client runs put / get / compare-and-set operations one at a time
 * through a random member's session, over a few keys so operations conflict; gets go half through the log, half as
 * linearizable ReadIndex reads. Records the history for the linearizability check, and tells the exactly-once checker
 * every commit the core reported and every refusal a client heard.
 *
 * <p>Not thread-safe: for the single-threaded simulator.
 */
final class Workload {
    static final int KEYS = 4;
    /** How long a client waits for an outcome before the session reports it unknown. */
    static final long DEADLINE_MICROS = 3_000_000;

    private final Simulation sim;
    private final SplittableRandom random;
    private final ExactlyOnce exactlyOnce;
    private final History history = new History();
    private final List<Client> clients = new ArrayList<>();
    private boolean stopped;
    private long healedAtMicros = Long.MAX_VALUE;
    private boolean committedAfterHeal;
    private long committedWrites;

    Workload(Simulation sim, SplittableRandom random, ExactlyOnce exactlyOnce, int clientCount) {
        this.sim = sim;
        this.random = random;
        this.exactlyOnce = exactlyOnce;
        for (int i = 0; i < clientCount; i++) {
            clients.add(new Client(i));
        }
    }

    History history() {
        return history;
    }

    /** Whether some write invoked after the faults were healed has committed (the liveness requirement). */
    boolean committedAfterHeal() {
        return committedAfterHeal;
    }

    /** Writes acknowledged to clients so far. */
    long committedWrites() {
        return committedWrites;
    }

    void healed(long nowMicros) {
        healedAtMicros = nowMicros;
    }

    void start() {
        for (Client client : clients) {
            sim.schedule(random.nextLong(50_000), () -> nextOperation(client));
        }
    }

    /** Operations still in flight become unknown; no new ones start. */
    void finish() {
        stopped = true;
        for (Client client : clients) {
            if (client.op != null && !client.op.read) {
                history.add(new History.Operation(
                        client.index, client.op.command, client.op.invokedMicros, Long.MAX_VALUE, null));
            }
            client.op = null;
        }
    }

    // ---------------------------------------------------------------- the members' sessions

    /**
     * A new life of {@code node} starts with a new session. Its inputs to the core are stepped as events of their own
     * at the same instant: a step never runs inside another (the checkers see one input per step).
     */
    void memberStarted(SimNode node) {
        int life = node.incarnation;
        node.session = new ClientSession(
                random.nextLong() & Long.MAX_VALUE,
                input -> sim.schedule(sim.now(), () -> {
                    if (node.alive() && node.incarnation == life) {
                        sim.input(node, input);
                    }
                }),
                () -> {},
                RuntimeRules.STRICT);
    }

    /** The member crashed: its clients hear nothing more, so every operation it held has an unknown outcome. */
    void memberCrashed(SimNode node) {
        node.session.failAll(new EchoException(EchoException.Reason.TIMEOUT, node.id() + " crashed"));
        node.session = null;
    }

    /** One tick of the member's clock: operations past their deadline become unknown. */
    void tick(SimNode node) {
        node.session.expire(sim.now() * 1000);
    }

    /** Routes a member's client-facing output to its session, as the runtime's group loop does. */
    void onOutput(SimNode node, Output output) {
        ClientSession session = node.session;
        if (output instanceof Output.SessionOpened opened) {
            session.sessionOpened(opened.outcome());
        } else if (output instanceof Output.Completed completed) {
            if (completed.outcome() instanceof Output.Committed committed) {
                exactlyOnce.acknowledged(completed.clientId(), completed.sequence(), committed.index());
            } else if (completed.outcome() instanceof Output.Rejected && session.awaits(completed.sequence())) {
                // A client hears "certainly not applied". (An answer no one awaits any more may be a stale-sequence
                // refusal of a retry whose first copy was applied: the client gave up on it and acknowledged it.)
                exactlyOnce.refused(completed.clientId(), completed.sequence());
            }
            session.completed(completed.sequence(), completed.outcome());
        } else if (output instanceof Output.ReadCompleted read) {
            session.readCompleted(read.readId(), read.outcome());
        } else if (output instanceof Output.StatusChanged changed && !hasQuorum(changed.status())) {
            session.quorumLost();
        }
    }

    private static boolean hasQuorum(MemberStatus status) {
        return status == MemberStatus.LEADER || status == MemberStatus.FOLLOWER;
    }

    // ---------------------------------------------------------------- clients

    private void nextOperation(Client client) {
        if (stopped) {
            return;
        }
        SimNode member = sim.randomAliveNode();
        if (member == null) {
            sim.schedule(sim.now() + 100_000, () -> nextOperation(client));
            return;
        }
        String key = "k" + random.nextInt(KEYS);
        int roll = random.nextInt(100);
        KvCommand command;
        boolean read = false;
        if (roll < 40) {
            command = KvCommand.put(key, "c" + client.index + "v" + (++client.values));
        } else if (roll < 60) {
            String expected = random.nextBoolean() ? client.lastSeen(key) : "";
            command = KvCommand.cas(key, expected, "c" + client.index + "v" + (++client.values));
        } else {
            command = KvCommand.get(key);
            read = random.nextBoolean();
        }
        PendingOp op = new PendingOp(command, read, sim.now());
        client.op = op;
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        answer.whenComplete((result, error) -> finished(client, op, result, error));
        long deadlineNanos = (sim.now() + DEADLINE_MICROS) * 1000;
        if (read) {
            member.session.read(command.encode(), false, answer, deadlineNanos);
        } else {
            MemberStatus status = member.core().orElseThrow().status();
            member.session.submit(command.encode(), answer, sim.now() * 1000, deadlineNanos, hasQuorum(status));
        }
    }

    private void finished(Client client, PendingOp op, byte[] result, Throwable error) {
        if (client.op != op) {
            return; // the run ended first
        }
        client.op = null;
        if (error == null) {
            String answer = new String(result, StandardCharsets.UTF_8);
            history.add(new History.Operation(client.index, op.command, op.invokedMicros, sim.now(), answer));
            if (op.command.kind() == KvCommand.Kind.GET) {
                client.seen.put(op.command.key(), answer);
            }
            if (!op.read) {
                committedWrites++;
                if (op.invokedMicros >= healedAtMicros) {
                    committedAfterHeal = true;
                }
            }
        } else if (!op.read && !certainlyNotApplied(error)) {
            history.add(new History.Operation(client.index, op.command, op.invokedMicros, Long.MAX_VALUE, null));
        }
        sim.schedule(sim.now() + random.nextLong(20_000), () -> nextOperation(client));
    }

    private static boolean certainlyNotApplied(Throwable error) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        return cause instanceof EchoException echo && echo.certainlyNotApplied();
    }

    private static final class Client {
        final int index;
        int values;
        PendingOp op;
        final TreeMap<String, String> seen = new TreeMap<>();

        Client(int index) {
            this.index = index;
        }

        String lastSeen(String key) {
            return seen.getOrDefault(key, "");
        }
    }

    private record PendingOp(KvCommand command, boolean read, long invokedMicros) {}
}
