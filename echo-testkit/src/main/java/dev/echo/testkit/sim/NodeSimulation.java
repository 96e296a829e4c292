package dev.echo.testkit.sim;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.codec.Envelope;
import dev.echo.core.node.EchoNode;
import dev.echo.core.runtime.NodeRuntime;
import dev.echo.core.runtime.RuntimeRules;
import dev.echo.core.transport.TransportException;
import dev.echo.testkit.check.InvariantViolation;
import dev.echo.testkit.kv.KvCommand;
import dev.echo.testkit.kv.KvStateMachine;
import dev.echo.testkit.lin.KvModel;
import dev.echo.testkit.lin.Linearizability;
import dev.echo.testkit.lin.Model;
import dev.echo.testkit.storage.InMemoryJournal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The whole-node simulator, first form (issue 19): every member is a real {@link EchoNode} in invoker mode, on the
 * simulation's clock and seed, with its real runtime, client sessions, snapshot worker and membership requests, over
 * a {@link SimTransport} (the real codec, then a simulated network) and an {@link InMemoryJournal} that survives its
 * crashes. Clients use the public API only ({@link ReplicatedGroup#submit}, {@link ReplicatedGroup#read}), so
 * sessions and retries are the runtime's own. The network is cut, lossy, duplicating and reordering by turns;
 * members crash and restart.
 *
 * <p>What it checks: the client history is linearizable; after every fault heals a write commits within a bound;
 * and, once quiet, members that applied the same index hold the same state. The protocol-level simulator
 * ({@link Simulation}) still checks the invariants of PROTOCOL.md §11 after every step; this one proves the node
 * around the core. Not yet here: a real journal under a simulated disk, per-step invariants, mutants of the runtime.
 *
 * <p>One seed fixes everything: one thread, simulated time, seeded randomness everywhere. Not thread-safe.
 */
public final class NodeSimulation {
    private static final String GROUP = "sim";
    private static final long TICK_MICROS = 10_000;
    private static final int KEYS = 4;
    private static final long CLIENT_PATIENCE_MICROS = 3_000_000;

    private final SimulationOptions options;
    private final Setup setup;
    private final SplittableRandom random;
    private final SimNetwork network;
    private final PrintStream trace;
    private final List<Member> members = new ArrayList<>();
    private final EventQueue events = new EventQueue();
    private final List<Linearizability.Operation> history = new ArrayList<>();
    private final EnumMap<Injected, Long> injected = new EnumMap<>(Injected.class);
    /** Who led each term, as the nodes reported it. */
    private final TreeMap<Long, MemberId> leaders = new TreeMap<>();

    private long traceHash = 1469598103934665603L;
    private long healedAt = Long.MAX_VALUE;
    private boolean committedAfterHeal;
    /** Set once the run is over: clients start nothing more while the group settles. */
    private boolean clientsStopped;
    /** Each client's operation in flight, if any: unknown if the run ends first. */
    private final TreeMap<Integer, Runnable> inFlight = new TreeMap<>();

    /** One simulated machine: its journal outlives its processes. */
    private final class Member {
        final int index;
        final MemberId id;
        InMemoryJournal journal = new InMemoryJournal();
        SimTransport transport;
        EchoNode node;
        ReplicatedGroup group;
        StateMachine state;
        int life;
        /** The highest term this machine reported, in any life: terms never decrease, across restarts too. */
        long highestTerm;
        /** The commit index this process reported last: it never decreases within a life. */
        long lastCommit;

        Member(int index) {
            this.index = index;
            this.id = MemberId.of("n" + (index + 1));
        }

        boolean up() {
            return node != null;
        }
    }

    /**
     * What runs in each member and what the clients do: the application's state machine, its requests, and its
     * sequential model (null: no linearizability check).
     */
    record Setup(Supplier<StateMachine> stateMachines, ClientWorkload workload, Model<?> model, RuntimeRules rules) {
        /** echo-testkit's key-value store, with put, compare-and-set and get over four keys. */
        static Setup keyValue(RuntimeRules rules) {
            return new Setup(KvStateMachine::new, NodeSimulation::keyValueRequest, new KvModel(), rules);
        }
    }

    private NodeSimulation(SimulationOptions options, Setup setup, PrintStream trace) {
        this.options = options;
        this.setup = setup;
        this.random = new SplittableRandom(options.seed());
        this.network = new SimNetwork(random.split());
        this.trace = trace;
        int count = options.members() != 0 ? options.members() : 3 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            members.add(new Member(i));
        }
    }

    /**
     * Runs one seed of echo-testkit's key-value store; {@code trace} receives a transcript of faults and client
     * operations, or null for none.
     */
    public static SimulationResult run(SimulationOptions options, PrintStream trace) {
        return run(options, Set.of(), trace);
    }

    /** As {@link #run(SimulationOptions, PrintStream)}, with deliberate bugs in every node's runtime. */
    public static SimulationResult run(SimulationOptions options, Set<RuntimeMutation> bugs, PrintStream trace) {
        return run(options, Setup.keyValue(RuntimeMutation.rulesBreaking(bugs)), trace);
    }

    static SimulationResult run(SimulationOptions options, Setup setup, PrintStream trace) {
        return new NodeSimulation(options, setup, trace).execute();
    }

    private SimulationResult execute() {
        members.forEach(this::start);
        for (int client = 0; client < options.clients(); client++) {
            int index = client;
            schedule(random.nextLong(50_000), () -> nextOperation(index));
        }
        long faultEnd = options.faultPhaseMillis() * 1000;
        schedule(random.nextLong(200_000, 600_000), this::injectFault);
        if (options.faults().contains(Fault.RECONFIGURE)) {
            schedule(random.nextLong(500_000, 2_000_000), this::changeMembership);
        }
        schedule(faultEnd, this::heal);
        long deadline = faultEnd + options.livenessBoundMillis() * 1000;
        Optional<String> failure = Optional.empty();
        try {
            runUntil(deadline, () -> committedAfterHeal);
            if (!committedAfterHeal) {
                failure = Optional.of("liveness: no write committed within " + options.livenessBoundMillis()
                        + " ms of healing every fault");
            }
            failure = failure.or(this::finalChecks);
        } catch (InvariantViolation violation) {
            failure = Optional.of(violation.getMessage());
        } catch (IllegalStateException bug) {
            failure = Optional.of("node assertion: " + bug.getMessage());
        }
        failure.ifPresent(f -> log("FAIL " + f));
        long steps = events.scheduled();
        return new SimulationResult(
                options,
                members.size(),
                failure,
                steps,
                now(),
                traceHash,
                new History(),
                List.copyOf(history),
                new RunCounts(injected, history.size()));
    }

    // ---------------------------------------------------------------- members

    private void start(Member member) {
        member.life++;
        member.transport = new SimTransport(member.id, (to, envelope) -> send(member, to, envelope));
        member.state = setup.stateMachines().get();
        EchoNode node = EchoNode.around(new NodeRuntime(
                member.id,
                member.transport,
                member.journal,
                TICK_MICROS * 1000,
                1,
                true, // invoker: the simulator's thread runs everything
                () -> now() * 1000,
                OptionalLong.of(options.seed() * 31 + member.index * 1_000_003L + member.life),
                setup.rules()));
        try {
            node.start();
        } catch (TransportException impossible) {
            throw new IllegalStateException(impossible);
        }
        GroupOptions.Builder group = GroupOptions.builder()
                .requestTimeout(Duration.ofSeconds(2))
                .tuning(Tuning.defaults().withStaticMembership());
        members.forEach(m -> group.voter(m.id));
        member.node = node;
        member.group = node.join(GROUP, group.build(), member.state, new GroupListener() {
            @Override
            public void viewChanged(View view) {
                log(member.id + " VIEW " + view.epoch() + ": voters " + view.voters() + ", learners "
                        + view.learners());
            }
        });
        log(member.id + " START life " + member.life);
        int life = member.life;
        schedule(now() + random.nextLong(TICK_MICROS), () -> tick(member, life));
    }

    private void tick(Member member, int life) {
        if (member.up() && member.life == life) {
            drain(member);
            schedule(now() + TICK_MICROS, () -> tick(member, life));
        }
    }

    /** Runs everything a member has to do now: its due ticks, its inbox, its client operations. */
    private void drain(Member member) {
        if (!member.up()) {
            return;
        }
        while (member.node.runPending()) {
            mix(member.index, 1);
        }
        checkStatus(member);
    }

    /**
     * After every batch of steps, what each node reports through the public API must keep PROTOCOL.md §11's rules:
     * one leader per term (§11.1), a term that never decreases, across restarts too (§11.3), a commit index that
     * never decreases within a process's life and an applied index never above it (§11.8).
     */
    private void checkStatus(Member member) {
        if (!member.up()) {
            return;
        }
        GroupStatus status = member.group.status();
        if (status.term() < member.highestTerm) {
            throw new InvariantViolation(
                    "§11.3 currentTerm never decreases",
                    member.id + ": " + member.highestTerm + " -> " + status.term());
        }
        member.highestTerm = status.term();
        if (status.commitIndex() < member.lastCommit || status.lastApplied() > status.commitIndex()) {
            throw new InvariantViolation(
                    "§11.8 applied <= commit, and commit never decreases",
                    member.id + ": commit " + member.lastCommit + " -> " + status.commitIndex() + ", applied "
                            + status.lastApplied());
        }
        member.lastCommit = status.commitIndex();
        if (status.role() == GroupStatus.Role.LEADER) {
            MemberId before = leaders.putIfAbsent(status.term(), member.id);
            if (before != null && !before.equals(member.id)) {
                throw new InvariantViolation(
                        "§11.1 one leader per term", before + " and " + member.id + " both led term " + status.term());
            }
        }
    }

    private void crash(Member member) {
        if (!member.up()) {
            return;
        }
        member.lastCommit = 0; // a new process learns the commit index again
        member.transport.crash(); // the process is gone: no close, pending work is simply lost
        member.node = null;
        member.group = null;
        member.journal = member.journal.reopen();
        count(Injected.CRASH);
        log(member.id + " CRASH");
    }

    // ---------------------------------------------------------------- network

    private void send(Member from, MemberId to, Envelope envelope) {
        Member target = members.get(Integer.parseInt(to.value().substring(1)) - 1);
        int copies = network.copies(from.index, target.index);
        if (copies != 1) {
            count(copies == 0 ? Injected.DROPPED : Injected.DUPLICATED);
        }
        for (int i = 0; i < copies; i++) {
            long arrival = now() + network.delayMicros();
            if (network.arrivesOutOfOrder(from.index, target.index, arrival)) {
                count(Injected.REORDERED);
            }
            SimTransport receiver = target.transport;
            schedule(arrival, () -> {
                if (target.transport == receiver) { // the same process still runs
                    receiver.receive(envelope);
                    drain(target);
                }
            });
        }
    }

    // ---------------------------------------------------------------- faults

    private void injectFault() {
        if (now() >= options.faultPhaseMillis() * 1000) {
            return;
        }
        long repairAfter = random.nextLong(300_000, 4_000_000);
        switch (random.nextInt(5)) {
            case 0 -> {
                Member victim = members.get(random.nextInt(members.size()));
                if (victim.up()) {
                    crash(victim);
                    schedule(now() + repairAfter, () -> restart(victim));
                }
            }
            case 1 -> {
                network.partition(members.size(), random);
                count(Injected.PARTITION);
                log("partition");
                schedule(now() + repairAfter, this::healLinks);
            }
            case 2 -> {
                network.lossRate = random.nextDouble() * 0.3;
                log("loss " + network.lossRate);
                schedule(now() + repairAfter, () -> network.lossRate = 0);
            }
            case 3 -> {
                network.duplicateRate = random.nextDouble() * 0.2;
                log("duplicate " + network.duplicateRate);
                schedule(now() + repairAfter, () -> network.duplicateRate = 0);
            }
            default -> {
                network.jitterMicros = random.nextLong(5_000, 40_000);
                log("jitter " + network.jitterMicros);
                schedule(now() + repairAfter, () -> network.jitterMicros = 1_500);
            }
        }
        schedule(now() + random.nextLong(200_000, 1_500_000), this::injectFault);
    }

    private void restart(Member member) {
        if (!member.up()) {
            start(member);
        }
    }

    private void healLinks() {
        network.healLinks();
    }

    /**
     * A random member asks, through the public API, to re-weight a member, move it to the top rank, demote it to a
     * learner or promote it back: every edit keeps the same machines in the group, so they must all converge. The
     * leader refuses what it must (the last voter, a change in flight); the future's outcome is not checked here.
     */
    private void changeMembership() {
        if (now() >= options.faultPhaseMillis() * 1000) {
            return;
        }
        List<Member> up = members.stream().filter(Member::up).toList();
        if (!up.isEmpty()) {
            Member asker = up.get(random.nextInt(up.size()));
            MemberId about = members.get(random.nextInt(members.size())).id;
            int kind = random.nextInt(4);
            switch (kind) {
                case 0 -> asker.group.addVoter(about, 1 + random.nextInt(3));
                case 1 -> asker.group.makeTop(about);
                case 2 -> asker.group.addLearner(about);
                default -> asker.group.addVoter(about, 1);
            }
            count(Injected.MEMBERSHIP_CHANGE);
            log(asker.id + " asks "
                    + (kind == 0 ? "re-weight " : kind == 1 ? "make top " : kind == 2 ? "demote " : "promote ")
                    + about);
            drain(asker);
        }
        schedule(now() + random.nextLong(500_000, 2_000_000), this::changeMembership);
    }

    private void heal() {
        network.healAll();
        members.forEach(this::restart);
        healedAt = now();
        log("HEAL every fault; liveness phase begins");
    }

    // ---------------------------------------------------------------- clients

    /** One operation of client {@code client}, at a random member that is up, through the public API. */
    private void nextOperation(int client) {
        if (clientsStopped) {
            return;
        }
        List<Member> up = members.stream().filter(Member::up).toList();
        if (up.isEmpty()) {
            schedule(now() + 100_000, () -> nextOperation(client));
            return;
        }
        Member member = up.get(random.nextInt(up.size()));
        ClientWorkload.Request request = setup.workload().next(random, client);
        long invoked = now();
        CompletableFuture<byte[]> answer = request.query()
                ? member.group.read(request.bytes().clone())
                : member.group.submit(request.bytes().clone());
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
        schedule(now() + CLIENT_PATIENCE_MICROS, giveUp);
        drain(member);
    }

    private void finished(int client, ClientWorkload.Request request, long invoked, byte[] result, Throwable error) {
        if (error == null) {
            history.add(
                    new Linearizability.Operation(client, request.query(), request.bytes(), invoked, now(), result));
            log("c" + client + (request.query() ? " query" : " command") + " answered in " + (now() - invoked) + " us");
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
            log("c" + client + (request.query() ? " query" : " command") + " failed: " + cause.getMessage());
        }
        schedule(now() + random.nextLong(20_000), () -> nextOperation(client));
    }

    /** The key-value clients: put 45%, compare-and-set 15%, get 40% (half through the log, half as reads). */
    private static ClientWorkload.Request keyValueRequest(SplittableRandom random, int client) {
        String key = "k" + random.nextInt(KEYS);
        int roll = random.nextInt(100);
        String value = "c" + client + "v" + random.nextLong(1L << 40);
        if (roll < 45) {
            return ClientWorkload.Request.command(KvCommand.put(key, value).encode());
        }
        if (roll < 60) {
            String expected = random.nextBoolean() ? "" : "c" + client;
            return ClientWorkload.Request.command(
                    KvCommand.cas(key, expected, value).encode());
        }
        byte[] get = KvCommand.get(key).encode();
        return random.nextBoolean() ? ClientWorkload.Request.query(get) : ClientWorkload.Request.command(get);
    }

    // ---------------------------------------------------------------- checks

    private Optional<String> finalChecks() {
        clientsStopped = true;
        new ArrayList<>(inFlight.values()).forEach(Runnable::run); // outcomes still unknown when the run ends
        if (setup.model() != null) {
            Optional<String> linearizable =
                    Linearizability.check(history, setup.model()).map(m -> "linearizability: " + m);
            if (linearizable.isPresent()) {
                return linearizable;
            }
        }
        // Let the group settle with no fault and no client, then every member must have applied the same state.
        long quietUntil = now() + 3_000_000;
        events.clear();
        for (Member member : members) {
            int life = member.life;
            schedule(now() + TICK_MICROS, () -> tick(member, life));
        }
        runUntil(quietUntil, () -> false);
        Member first = members.get(0);
        for (Member member : members) {
            long applied = member.group.status().lastApplied();
            long firstApplied = first.group.status().lastApplied();
            if (applied != firstApplied) {
                return Optional.of("convergence: " + member.id + " applied " + applied + ", " + first.id + " "
                        + firstApplied + " after 3 quiet seconds");
            }
            if (!Arrays.equals(snapshotBytes(member.state), snapshotBytes(first.state))) {
                return Optional.of("applied states differ at index " + applied + ": " + member.id + " and " + first.id);
            }
        }
        return Optional.empty();
    }

    /** The state machine's snapshot, as bytes to compare; empty when it takes none. */
    private static byte[] snapshotBytes(StateMachine machine) {
        StateMachine.Snapshot snapshot = machine.snapshot();
        if (snapshot == null) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            snapshot.writeTo(bytes);
        } catch (IOException cannot) {
            throw new IllegalStateException("the state machine cannot write its snapshot", cannot);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------- plumbing

    private void schedule(long time, Runnable action) {
        events.schedule(time, action);
    }

    /** Runs what is due up to {@code deadlineMicros}, or until {@code done} holds. */
    private void runUntil(long deadlineMicros, BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            Runnable action = events.next(deadlineMicros);
            if (action == null) {
                return;
            }
            action.run();
        }
    }

    private long now() {
        return events.now();
    }

    private void count(Injected kind) {
        injected.merge(kind, 1L, Long::sum);
    }

    private void mix(long a, long b) {
        traceHash = (traceHash ^ a ^ (b << 8) ^ now()) * 1099511628211L;
    }

    private void log(String line) {
        mix(line.hashCode(), 2);
        if (trace != null) {
            trace.printf("%9.3fms %s%n", now() / 1000.0, line);
        }
    }
}
