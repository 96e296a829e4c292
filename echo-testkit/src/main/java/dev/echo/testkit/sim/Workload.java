package dev.echo.testkit.sim;

import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import dev.echo.testkit.check.ExactlyOnce;
import dev.echo.testkit.kv.KvCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated clients: each opens an exactly-once session, then runs put / get / compare-and-set operations one
 * at a time against random members, over a few keys so operations conflict. A client that hears nothing retries
 * the same (clientId, sequence) at another member, then gives up (outcome unknown). Gets go half through the log,
 * half as linearizable ReadIndex reads. Records the history for the linearizability check and tells the
 * exactly-once checker what clients were told. Not thread-safe.
 */
final class Workload {
    static final int KEYS = 4;
    static final long ATTEMPT_TIMEOUT_MICROS = 1_000_000;
    static final int MAX_ATTEMPTS = 3;

    private final Simulation sim;
    private final SplittableRandom random;
    private final ExactlyOnce exactlyOnce;
    private final History history = new History();
    private final List<Client> clients = new ArrayList<>();
    private long stopIssuingAtMicros = Long.MAX_VALUE;
    private long healedAtMicros = Long.MAX_VALUE;
    private boolean committedAfterHeal;
    private long committedWrites;

    Workload(Simulation sim, SplittableRandom random, ExactlyOnce exactlyOnce, int clientCount) {
        this.sim = sim;
        this.random = random;
        this.exactlyOnce = exactlyOnce;
        for (int i = 0; i < clientCount; i++) {
            clients.add(new Client(i, random.nextLong() & Long.MAX_VALUE));
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
            sim.schedule(random.nextLong(50_000), () -> openSession(client));
        }
    }

    /** Operations still in flight become unknown; no new ones start. */
    void finish() {
        stopIssuingAtMicros = 0;
        for (Client client : clients) {
            if (client.op != null && !client.op.read) {
                history.add(new History.Operation(
                        client.index, client.op.command, client.op.invokedMicros, Long.MAX_VALUE, null));
            }
            client.op = null;
        }
    }

    // ---------------------------------------------------------------- sessions

    private void openSession(Client client) {
        SimNode member = sim.randomAliveNode();
        if (member == null) {
            sim.schedule(sim.now() + 100_000, () -> openSession(client));
            return;
        }
        client.opening = true;
        int attemptId = ++client.attemptCounter;
        sim.input(member, new Input.OpenSession(client.clientId));
        sim.schedule(sim.now() + ATTEMPT_TIMEOUT_MICROS, () -> {
            if (client.opening && client.attemptCounter == attemptId) {
                openSession(client);
            }
        });
    }

    // ---------------------------------------------------------------- operations

    private void nextOperation(Client client) {
        if (sim.now() >= stopIssuingAtMicros) {
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
        client.op = new PendingOp(command, read, read ? 0 : ++client.sequence, sim.now());
        attempt(client);
    }

    private void attempt(Client client) {
        PendingOp op = client.op;
        op.attempts++;
        int attemptId = ++client.attemptCounter;
        SimNode member = sim.randomAliveNode();
        if (member != null) {
            if (op.read) {
                op.readId = client.index * 1_000_000_000L + attemptId;
                sim.input(member, new Input.Read(op.readId, op.command.encode(), false));
            } else {
                sim.input(member, new Input.Submit(client.clientId, op.sequence, client.acked, op.command.encode()));
            }
        }
        sim.schedule(sim.now() + ATTEMPT_TIMEOUT_MICROS, () -> {
            if (client.op == op && client.attemptCounter == attemptId) {
                timedOut(client);
            }
        });
    }

    private void timedOut(Client client) {
        PendingOp op = client.op;
        if (op.attempts < MAX_ATTEMPTS) {
            attempt(client);
            return;
        }
        if (!op.read) {
            history.add(new History.Operation(client.index, op.command, op.invokedMicros, Long.MAX_VALUE, null));
            client.acked = op.sequence; // the client promises never to retry it
        }
        client.op = null;
        sim.schedule(sim.now() + random.nextLong(20_000), () -> nextOperation(client));
    }

    /** Routes a member's client-facing output to the client it answers. */
    void onOutput(Output output) {
        if (output instanceof Output.SessionOpened opened) {
            Client client = byClientId(opened.clientId());
            if (client != null && client.opening) {
                client.opening = false;
                if (opened.outcome() instanceof Output.Committed) {
                    sim.schedule(sim.now() + random.nextLong(20_000), () -> nextOperation(client));
                } else {
                    sim.schedule(sim.now() + 100_000, () -> openSession(client));
                }
            }
        } else if (output instanceof Output.Completed completed) {
            Client client = byClientId(completed.clientId());
            if (client != null && client.op != null && !client.op.read && client.op.sequence == completed.sequence()) {
                finished(client, completed.outcome());
            }
        } else if (output instanceof Output.ReadCompleted read) {
            Client client = clients.get((int) (read.readId() / 1_000_000_000L));
            if (client.op != null && client.op.read && client.op.readId == read.readId()) {
                finished(client, read.outcome());
            }
        }
    }

    private void finished(Client client, Output.Outcome outcome) {
        PendingOp op = client.op;
        client.op = null;
        if (outcome instanceof Output.Committed committed) {
            String answer = new String(committed.result(), StandardCharsets.UTF_8);
            history.add(new History.Operation(client.index, op.command, op.invokedMicros, sim.now(), answer));
            if (op.command.kind() == KvCommand.Kind.GET) {
                client.seen.put(op.command.key(), answer);
            }
            if (!op.read) {
                exactlyOnce.acknowledged(client.clientId, op.sequence, committed.index());
                client.acked = op.sequence;
                committedWrites++;
                if (op.invokedMicros >= healedAtMicros) {
                    committedAfterHeal = true;
                }
            }
        } else if (!op.read) {
            if (op.attempts == 1) {
                exactlyOnce.refused(client.clientId, op.sequence); // certainly not applied
            } else {
                // An earlier attempt may still take effect: the outcome is unknown.
                history.add(new History.Operation(client.index, op.command, op.invokedMicros, Long.MAX_VALUE, null));
            }
            client.acked = op.sequence;
        }
        sim.schedule(sim.now() + random.nextLong(20_000), () -> nextOperation(client));
    }

    private Client byClientId(long clientId) {
        for (Client client : clients) {
            if (client.clientId == clientId) {
                return client;
            }
        }
        return null;
    }

    private static final class Client {
        final int index;
        final long clientId;
        long sequence;
        long acked;
        int values;
        int attemptCounter;
        boolean opening;
        PendingOp op;
        final java.util.TreeMap<String, String> seen = new java.util.TreeMap<>();

        Client(int index, long clientId) {
            this.index = index;
            this.clientId = clientId;
        }

        String lastSeen(String key) {
            return seen.getOrDefault(key, "");
        }
    }

    private static final class PendingOp {
        final KvCommand command;
        final boolean read;
        final long sequence;
        final long invokedMicros;
        int attempts;
        long readId;

        PendingOp(KvCommand command, boolean read, long sequence, long invokedMicros) {
            this.command = command;
            this.read = read;
            this.sequence = sequence;
            this.invokedMicros = invokedMicros;
        }
    }
}
