package dev.echo.testkit.sim;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.MulticastView;
import dev.echo.core.Ordering;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.codec.Envelope;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.node.EchoNode;
import dev.echo.core.runtime.NodeRuntime;
import dev.echo.core.runtime.RuntimeRules;
import dev.echo.core.storage.StorageException;
import dev.echo.core.transport.TransportException;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.journal.rules.JournalRules;
import dev.echo.testkit.check.InvariantViolation;
import dev.echo.testkit.kv.KvCommand;
import dev.echo.testkit.kv.KvStateMachine;
import dev.echo.testkit.lin.KvModel;
import dev.echo.testkit.lin.Linearizability;
import dev.echo.testkit.lin.Model;
import dev.echo.testkit.storage.SimFileLayer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The whole-node simulator (issue 19): every member is a real {@link EchoNode} in invoker mode, on the simulation's
 * clock and seed, with its real runtime, client sessions, snapshot worker and membership requests, over a
 * {@link SimTransport} (the real codec, then a simulated network) and a real {@link FileJournal} on a
 * {@link SimFileLayer}, the machine's disk, which outlives its processes and loses unforced writes in a crash.
 * Clients use the public API only ({@link ReplicatedGroup#submit}, {@link ReplicatedGroup#read}), so sessions and
 * retries are the runtime's own. The faults are those of {@link SimulationOptions#faults()} that apply to whole nodes:
 * crashes, torn writes, partitions, loss, duplication, reordering, membership changes through the API, dynamic voting,
 * failed forces, full disks and damaged journals.
 *
 * <p>What it checks: the client history is linearizable; after every fault heals a write commits within a bound;
 * once quiet, members that applied the same index hold the same state; after every batch of steps, the §11.1, §11.3
 * and §11.8 rules that a node's status and messages show (see {@link #checkStatus}). The protocol-level simulator
 * ({@link Simulation}) still checks the rest of PROTOCOL.md §11 (logs, votes, quorums) after every step.
 *
 * <p>One seed fixes everything: one thread, simulated time, seeded randomness everywhere. Not thread-safe.
 */
public final class NodeSimulation {
    /** The node's log cache under {@link Fault#EVICTION}: a few dozen entries, so reads back from the journal abound. */
    private static final long EVICTION_CACHE_BYTES = 4_096;

    static final String GROUP = "sim";
    private static final long TICK_MICROS = 10_000;
    private static final int KEYS = 4;
    /** About 20 times what a seed takes: more is a message storm or a busy loop, not a slow run. */
    private static final long MAX_STEPS = 1_000_000;
    /** Small segments, so a run rolls, compacts and reuses them. */
    static final int SEGMENT_BYTES = 64 * 1024;

    private final SimulationOptions options;
    private final Setup setup;
    private final SplittableRandom random;
    /** How long a silent voter goes unsuspected, drawn per seed (with {@link Fault#DYNAMIC_VOTING}). */
    private final long suspectMillis;

    private final SimNetwork network;
    private final PrintStream trace;
    /** Every machine of the run: the original members first, then the machines that joined, retired ones too. */
    private final List<NodeMember> members = new ArrayList<>();
    /** How many machines the group started with: the bootstrap voters, and the seeds a new machine asks. */
    private final int originals;

    private final NodeMembershipEdits edits;
    private final NodeFaultPlan faults;

    private final EventQueue events = new EventQueue();
    private final NodeClients clients;
    private final EnumMap<Injected, Long> injected = new EnumMap<>(Injected.class);
    private final ObservedRules rules = new ObservedRules(this::log);
    /** What the applications hear of multicast ({@link Fault#MULTICAST}), checked as they hear it. */
    private final NodeMulticasts multicasts = new NodeMulticasts();
    /** Multicasts sent so far: each payload is unique. */
    private long multicastsSent;

    private long traceHash = 1469598103934665603L;
    /** The newest view epoch any member reported, and since when. */
    private long newestEpoch = -1;

    private long newestEpochSince;
    /** A rule broken inside a node's call into the simulator, thrown once the node's step is over. */
    private InvariantViolation violation;

    /**
     * What runs in each member and what the clients do: the application's state machine, its requests, and its
     * sequential model (null: no linearizability check).
     */
    record Setup(
            Supplier<StateMachine> stateMachines,
            ClientWorkload workload,
            Model<?> model,
            RuntimeRules rules,
            JournalRules journalRules) {
        /** echo-testkit's key-value store, with put, compare-and-set and get over four keys. */
        static Setup keyValue(RuntimeRules rules, JournalRules journalRules) {
            return new Setup(KvStateMachine::new, NodeSimulation::keyValueRequest, new KvModel(), rules, journalRules);
        }
    }

    private NodeSimulation(SimulationOptions options, Setup setup, PrintStream trace) {
        this.options = options;
        this.setup = setup;
        this.random = new SplittableRandom(options.seed());
        this.suspectMillis = random.nextLong(1_000, 2_500);
        this.network = new SimNetwork(random.split());
        this.trace = trace;
        int count = options.members() != 0 ? options.members() : 3 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            members.add(new NodeMember(i, Optional.empty()));
        }
        this.originals = count;
        this.edits = new NodeMembershipEdits(this, options, random, count);
        this.faults = new NodeFaultPlan(this, options, random, network, edits);
        this.clients = new NodeClients(
                events,
                random,
                options.faults().contains(Fault.BURSTS),
                setup.workload(),
                this::anyMemberUp,
                this::log);
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
        return run(options, bugs, Set.of(), trace);
    }

    /** As {@link #run(SimulationOptions, PrintStream)}, with deliberate bugs in every node's runtime and journal. */
    public static SimulationResult run(
            SimulationOptions options,
            Set<RuntimeMutation> runtimeBugs,
            Set<JournalMutation> journalBugs,
            PrintStream trace) {
        return run(
                options,
                Setup.keyValue(RuntimeMutation.rulesBreaking(runtimeBugs), JournalMutation.rulesBreaking(journalBugs)),
                trace);
    }

    static SimulationResult run(SimulationOptions options, Setup setup, PrintStream trace) {
        return new NodeSimulation(options, setup, trace).execute();
    }

    private SimulationResult execute() {
        members.forEach(this::start);
        clients.start(options.clients());
        long faultEnd = options.faultPhaseMillis() * 1000;
        schedule(random.nextLong(200_000, 600_000), faults::injectFault);
        if (options.faults().contains(Fault.RECONFIGURE)) {
            schedule(random.nextLong(500_000, 2_000_000), edits::changeMembership);
        }
        if (options.faults().contains(Fault.MULTICAST)) {
            schedule(random.nextLong(100_000, 500_000), this::multicastSome);
        }
        schedule(faultEnd, this::heal);
        long deadline = faultEnd + options.livenessBoundMillis() * 1000;
        Optional<String> failure = Optional.empty();
        try {
            runUntil(deadline, clients::committedAfterHeal);
            if (!clients.committedAfterHeal()) {
                failure = Optional.of("liveness: no write committed within " + options.livenessBoundMillis()
                        + " ms of healing every fault; " + describeMembers());
            }
            failure = failure.or(this::finalChecks);
        } catch (InvariantViolation violation) {
            failure = Optional.of(violation.getMessage());
        } catch (IllegalStateException bug) {
            failure = Optional.of("node assertion: " + bug.getMessage());
        } catch (EchoException refused) {
            // The simulator only joins members that were members before: a refusal is the node's failure to recover.
            failure = Optional.of("a member rejoins its group after any crash: " + refused.getMessage());
        }
        failure.ifPresent(f -> log("FAIL " + f));
        members.forEach(member -> injected.merge(Injected.READ_REFUSED, member.disk.refusedReads(), Long::sum));
        long steps = events.scheduled();
        return new SimulationResult(
                options,
                members.size(),
                failure,
                steps,
                now(),
                traceHash,
                new History(),
                List.copyOf(clients.history()),
                new RunCounts(injected, clients.history().size()));
    }

    // ---------------------------------------------------------------- members

    /**
     * The journals' metrics: only reads of entries back from the segments are counted ({@code log_read}, one per
     * read), so a run shows the log cache's read path ran; everything else is not measured.
     */
    private final MetricsSink readsCounted = new MetricsSink() {
        @Override
        public Counter counter(String name, String description, String... tags) {
            return name.equals("echo.journal.entries.read") ? entries -> count(Injected.LOG_READ) : Counter.NONE;
        }

        @Override
        public Histogram histogram(String name, String description, String unit, String... tags) {
            return Histogram.NONE;
        }

        @Override
        public void gauge(String name, String description, LongSupplier value, String... tags) {}
    };

    void start(NodeMember member) {
        try {
            member.journal = FileJournal.open(
                    JournalOptions.builder(Path.of("/machines", member.id.value()), "sim", member.id.value())
                            .segmentBytes(SEGMENT_BYTES)
                            .maxRecordBytes(SEGMENT_BYTES / 2)
                            .writeBufferBytes(4096)
                            .fileLayer(member.disk)
                            .invoker(true)
                            .metrics(readsCounted)
                            .build(),
                    setup.journalRules());
        } catch (StorageException refused) {
            if (faults.diskFull()) {
                log(member.id + " cannot start on a full disk: " + refused.getMessage());
                schedule(now() + 500_000, () -> restart(member));
                return;
            }
            throw new InvariantViolation("a journal opens after any crash", member.id + ": " + refused.getMessage());
        }
        member.life++;
        rules.started(member.id, member.life);
        member.diskBusy = false;
        member.journalStopped = false;
        member.transport = new SimTransport(member.id, (to, envelope) -> send(member, to, envelope));
        member.state = setup.stateMachines().get();
        NodeRuntime runtime = new NodeRuntime(
                member.id,
                member.transport,
                member.journal,
                TICK_MICROS * 1000,
                1,
                true, // invoker: the simulator's thread runs everything
                () -> now() * 1000,
                OptionalLong.of(options.seed() * 31 + member.index * 1_000_003L + member.life),
                setup.rules(),
                MetricsSink.NONE,
                options.faults().contains(Fault.EVICTION) ? EVICTION_CACHE_BYTES : EchoNode.DEFAULT_LOG_CACHE_BYTES,
                false); // the simulated transport offers no threads, and the invoker runs the loops
        EchoNode node = EchoNode.around(runtime);
        try {
            node.start();
        } catch (TransportException impossible) {
            throw new IllegalStateException(impossible);
        }
        // Dynamic voting on fault timescales, as in the protocol simulator: it also re-admits repaired members.
        Tuning tuning = options.faults().contains(Fault.DYNAMIC_VOTING)
                ? Tuning.defaults().withDynamicVoting(Duration.ofMillis(suspectMillis), Duration.ofMillis(500))
                : Tuning.defaults().withStaticMembership();
        GroupOptions.Builder group =
                GroupOptions.builder().requestTimeout(Duration.ofSeconds(2)).tuning(tuning);
        (member.joinsAt.isPresent() ? member.seeds : members.subList(0, originals)).forEach(m -> group.voter(m.id));
        group.multicast(options.faults().contains(Fault.MULTICAST));
        member.joinsAt.ifPresent(group::joinAt);
        member.node = node;
        member.runtime = runtime;
        try {
            member.group = join(member, node, group.build());
            member.viewEpoch = member.group.view().epoch();
        } catch (EchoException refused) {
            if (!stoppedByAnInjectedDiskFault(refused)) {
                throw refused;
            }
            // The disk failed a force or filled up while the member recorded its next incarnation: the process
            // stops with a typed error, and its operator restarts it later.
            log(member.id + " cannot rejoin: " + refused.getMessage());
            crash(member);
            member.journalStopped = true;
            schedule(now() + random.nextLong(100_000, 1_000_000), () -> restart(member));
            return;
        }
        log(member.id + " START life " + member.life);
        int life = member.life;
        schedule(now() + random.nextLong(TICK_MICROS), () -> tick(member, life));
    }

    private static boolean stoppedByAnInjectedDiskFault(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StorageException stopped
                    && (stopped.reason() == StorageException.Reason.FORCE_FAILED
                            || stopped.reason() == StorageException.Reason.WRITE_FAILED
                            || stopped.reason() == StorageException.Reason.STORAGE_FULL)) {
                return true;
            }
        }
        return false;
    }

    private ReplicatedGroup join(NodeMember member, EchoNode node, GroupOptions options) {
        return node.join(GROUP, options, member.state, new GroupListener() {
            @Override
            public void viewChanged(View view) {
                log(member.id + " VIEW " + view.epoch() + ": voters " + view.voters() + ", learners "
                        + view.learners());
                checked(() -> viewsGoForward(member, view));
            }

            @Override
            public void storageFaulted(EchoException cause) {
                onStorageFault(member, cause);
            }

            @Override
            public void multicastDelivered(MemberId sender, long viewEpoch, byte[] payload) {
                count(Injected.MULTICAST_DELIVERED);
                checked(() -> multicasts.delivered(member.id + "/" + member.life, sender, viewEpoch, payload));
            }

            @Override
            public void multicastViewInstalled(MulticastView view) {
                checked(() -> multicasts.installed(member.id + "/" + member.life, view));
            }

            @Override
            public void storageFull(GroupStatus status) {
                log(member.id + " STORAGE FULL: writes paused");
            }

            @Override
            public void storageAvailable(GroupStatus status) {
                log(member.id + " STORAGE AVAILABLE: writes resume");
            }
        });
    }

    /**
     * Within a life, the views a member's application sees go forward: {@code view()} at the start is an applied one,
     * and each view the listener hears is later than the one before, equal to what {@code view()} then says
     * (ReplicatedGroup.view). A view taken from a log entry that never commits would be followed by an earlier one.
     */
    private void viewsGoForward(NodeMember member, View view) {
        if (member.group != null && view.epoch() <= member.viewEpoch) {
            throw new InvariantViolation(
                    "views go forward",
                    member.id + " life " + member.life + " heard view " + view.epoch() + " after " + member.viewEpoch);
        }
        member.viewEpoch = view.epoch();
    }

    /** Runs a check inside a node's call into the simulator: a broken rule is thrown once the node's step is over. */
    private void checked(Runnable check) {
        try {
            check.run();
        } catch (InvariantViolation broken) {
            if (violation == null) {
                violation = broken;
            }
        }
    }

    /**
     * A random member multicasts a unique payload with a random ordering ({@link Fault#MULTICAST}); the outcome is
     * the runtime's business, what every member delivers is {@link NodeMulticasts}'.
     */
    private void multicastSome() {
        if (now() >= options.faultPhaseMillis() * 1000) {
            return;
        }
        List<NodeMember> up = members.stream().filter(NodeMember::up).toList();
        if (!up.isEmpty()) {
            NodeMember sender = up.get(random.nextInt(up.size()));
            Ordering ordering = Ordering.values()[random.nextInt(Ordering.values().length)];
            sender.group.multicast(multicasts.nextPayload(sender.id, ++multicastsSent), ordering);
            drain(sender);
        }
        schedule(now() + random.nextLong(5_000, 60_000), this::multicastSome);
    }

    private void tick(NodeMember member, int life) {
        if (member.up() && member.life == life) {
            // A journal that waits for disk space tries again about every 100 ms, as its own thread would.
            if (member.journal.waitingForSpace() && (now() / TICK_MICROS) % 10 == 0) {
                member.journal.runPending();
            }
            drain(member);
            schedule(now() + TICK_MICROS, () -> tick(member, life));
        }
    }

    /** Runs everything a member has to do now: its due ticks, its inbox, its client operations. */
    void drain(NodeMember member) {
        if (!member.up()) {
            return;
        }
        while (member.node.runPending()) {
            mix(member.index, 1);
        }
        if (violation != null) {
            throw violation;
        }
        checkStatus(member);
        scheduleDisk(member);
    }

    /**
     * The journal's writer, in invoker mode, runs as a simulated disk: one batch of everything queued, 0.1-2 ms after
     * the first persist of the batch, so batches grow under load as they do on a real disk.
     */
    private void scheduleDisk(NodeMember member) {
        if (!member.up() || member.diskBusy || !member.journal.hasPendingWork()) {
            return;
        }
        member.diskBusy = true;
        int life = member.life;
        schedule(now() + random.nextLong(100, 2_000), () -> {
            if (member.up() && member.life == life) {
                member.diskBusy = false;
                member.journal.runPending();
                drain(member);
            }
        });
    }

    /**
     * The journal stopped after an I/O error (fail-stop) or found damage when it opened. An operator restarts a
     * process whose journal stopped; a damaged group repairs itself from its leader (PROTOCOL.md §5).
     */
    private void onStorageFault(NodeMember member, EchoException cause) {
        log(member.id + " STORAGE FAULTED: " + cause.getMessage());
        // A stopped journal's outcome is unknown: never the retry-safe STORAGE_FULL of a paused one (issue 22).
        if (cause.reason() != EchoException.Reason.STORAGE_FAILED && violation == null) {
            violation = new InvariantViolation(
                    "a stopped journal is reported as STORAGE_FAILED",
                    member.id + " told its application " + cause.reason() + " for: " + cause.getMessage());
        }
        if (stoppedByAnInjectedDiskFault(cause)) {
            member.journalStopped = true;
            int life = member.life;
            schedule(now() + random.nextLong(100_000, 1_000_000), () -> {
                if (member.life == life && member.up()) {
                    operatorRestart(member);
                }
            });
        }
    }

    /**
     * After every batch of steps, what each node reports through the public API must keep the rules of
     * {@link ObservedRules}, and its group must still run: the simulator never closes one.
     */
    private void checkStatus(NodeMember member) {
        if (!member.up()) {
            return;
        }
        GroupStatus status = member.group.status();
        if (status.role() == GroupStatus.Role.CLOSED) {
            // The simulator never closes a group: the runtime stopped it after an unexpected failure (fail-stop).
            CompletableFuture<byte[]> probe = member.group.submit(new byte[0]);
            while (member.node.runPending()) {
                // until the probe is answered
            }
            Throwable why = probe.handle((ok, error) -> error).getNow(null);
            throw new InvariantViolation(
                    "a group stops only when closed",
                    member.id + ": "
                            + (why == null
                                    ? "no cause"
                                    : stackOf(why instanceof CompletionException c ? c.getCause() : why)));
        }
        rules.reported(member.id, status);
        if (member.joinsAt.isPresent() && !member.joined && member.group.view().contains(member.id)) {
            member.joined = true;
            count(Injected.JOINED);
            log(member.id + " JOINED at view " + member.group.view().epoch());
        }
        long epoch = member.group.view().epoch();
        if (epoch > newestEpoch) {
            newestEpoch = epoch;
            newestEpochSince = now();
        }
        if (member.damaged) {
            awaitReadmission(member, status);
        }
    }

    /**
     * A damaged member is settled once repaired (a follower or leader again) and a later configuration counts it:
     * as a voter, not suspended, stamped with its new life, or as a learner (PROTOCOL.md §5, "Re-admitted").
     */
    private void awaitReadmission(NodeMember member, GroupStatus status) {
        boolean serving = status.role() == GroupStatus.Role.FOLLOWER || status.role() == GroupStatus.Role.LEADER;
        View view = member.group.view();
        if (member.repairedAtEpoch < 0) {
            if (serving) {
                // The newest view anywhere: a repaired member replays older ones as it catches up.
                member.repairedAtEpoch = members.stream()
                        .filter(NodeMember::up)
                        .mapToLong(m -> m.group.view().epoch())
                        .max()
                        .orElseThrow();
                log(member.id + " repaired at view " + view.epoch());
            }
            return;
        }
        boolean counted = view.voters().stream().anyMatch(voter -> voter.id().equals(member.id))
                && view.suspended().stream().noneMatch(voter -> voter.id().equals(member.id));
        if (serving
                && view.epoch() > member.repairedAtEpoch
                && (counted || view.learners().contains(member.id))) {
            member.damaged = false;
            log(member.id + " re-admitted at view " + view.epoch());
        }
    }

    void crash(NodeMember member) {
        crash(member, false);
    }

    private void operatorRestart(NodeMember member) {
        log(member.id + " restarted by its operator");
        crash(member);
        restart(member);
    }

    /** The member's process dies; {@code misdirect}: one of its unforced sectors lands at a wrong offset. */
    void crash(NodeMember member, boolean misdirect) {
        if (!member.up()) {
            return;
        }
        member.transport.crash(); // the process is gone: no close, pending work is simply lost
        member.node = null;
        member.runtime = null;
        member.group = null;
        member.journal = null; // abandoned with its queue, as a dead process's
        SimFileLayer.CrashDamage damage =
                member.disk.crash(random, options.faults().contains(Fault.TORN_WRITE), misdirect);
        if (damage.tore()) {
            count(Injected.TORN_WRITE);
        }
        count(Injected.CRASH);
        log(member.id + " CRASH, unforced sectors lost " + damage.sectorsLost() + ", torn " + damage.sectorsTorn());
    }

    // ---------------------------------------------------------------- network

    private void send(NodeMember from, MemberId to, Envelope envelope) {
        InvariantViolation broken = rules.spoke(from.id, envelope.incarnation(), envelope.message());
        if (broken != null && violation == null) {
            violation = broken; // thrown after the node's step, in drain
        }
        NodeMember target = members.get(Integer.parseInt(to.value().substring(1)) - 1);
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

    // ---------------------------------------------------------------- machines (for the fault plan and the edits)

    void restart(NodeMember member) {
        if (!member.up() && !member.retired) {
            start(member);
        }
    }

    /** Every machine of the run, in the order they were added: the original members first. */
    List<NodeMember> machines() {
        return members;
    }

    /** A brand-new machine joins the run (the membership edits start it). */
    void addMachine(NodeMember fresh) {
        members.add(fresh);
    }

    /** When the newest view epoch any member reported was first reported. */
    long newestViewSince() {
        return newestEpochSince;
    }

    /** The machines that are not retired: what faults, membership edits and the final checks are about. */
    List<NodeMember> active() {
        return members.stream().filter(m -> !m.retired).toList();
    }

    private void heal() {
        network.healAll();
        members.forEach(member -> member.disk.heal());
        faults.healed();
        members.forEach(this::restart);
        clients.healed();
        log("HEAL every fault; liveness phase begins");
    }

    // ---------------------------------------------------------------- clients

    /** A random member that is up, for a client to ask, or null if none is. */
    private NodeClients.Target anyMemberUp() {
        List<NodeMember> up = members.stream().filter(NodeMember::up).toList();
        if (up.isEmpty()) {
            return null;
        }
        NodeMember member = up.get(random.nextInt(up.size()));
        return new NodeClients.Target(member.group, () -> drain(member));
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
        List<Linearizability.Operation> history = clients.stop(); // outcomes still unknown when the run ends
        if (setup.model() != null) {
            Optional<String> linearizable =
                    Linearizability.check(history, setup.model()).map(m -> "linearizability: " + m);
            if (linearizable.isPresent()) {
                return linearizable;
            }
        }
        // Let the group settle with no fault and no client, then every member must have applied the same state.
        events.clear();
        List<NodeMember> active = active();
        for (NodeMember member : active) {
            if (member.journalStopped || !member.up()) {
                operatorRestart(member); // its restart was cleared with the other events
            }
            int life = member.life;
            schedule(now() + TICK_MICROS, () -> tick(member, life));
            member.diskBusy = false; // its scheduled batch was cleared with the other events
            scheduleDisk(member);
        }
        // A new machine still asking to join is added within its next attempt: the runtime backs off to 10 s at most.
        runUntil(now() + 12_000_000, () -> active.stream().allMatch(m -> m.joinsAt.isEmpty() || m.joined));
        runUntil(now() + 3_000_000, () -> false);
        // Only a seed that votes passes a join on (PROTOCOL.md §8); seeds demoted or replaced since leave it waiting.
        View newest = NodeMembershipEdits.newestView(active);
        for (NodeMember member : active) {
            boolean aSeedVotes =
                    member.seeds.stream().anyMatch(seed -> seed.up() && !seed.retired && newest.isVoter(seed.id));
            if (member.joinsAt.isPresent() && !member.joined && aSeedVotes) {
                return Optional.of(
                        "join: " + member.id + " asked the seeds to join and was never added; " + describeMembers());
            }
        }
        // A replacement whose answer was lost (a timeout, a crash of the asker) may have committed all the same: the
        // replaced member is then out of the newest view, and idle for good, like any removed member.
        List<NodeMember> inTheGroup = active.stream()
                .filter(m -> !m.replacementAsked || newest.contains(m.id))
                .filter(m -> m.joinsAt.isEmpty() || m.joined)
                .toList();
        NodeMember first = inTheGroup.get(0);
        for (NodeMember member : inTheGroup) {
            long applied = member.group.status().lastApplied();
            long firstApplied = first.group.status().lastApplied();
            if (applied != firstApplied) {
                return Optional.of("convergence: " + member.id + " applied " + applied + ", " + first.id + " "
                        + firstApplied + " after 3 quiet seconds; " + member.id + ": " + member.group.status()
                        + (member.journal.hasPendingWork() ? ", journal work pending" : ""));
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

    /** Each member's status, view and configuration in force (committed or not), for a failure report. */
    private String describeMembers() {
        StringBuilder text = new StringBuilder();
        for (NodeMember member : members) {
            text.append("\n  ").append(member.id).append(": ");
            if (member.up()) {
                View view = member.group.view();
                text.append(member.group.status())
                        .append(", view ")
                        .append(view.epoch())
                        .append(" voters ")
                        .append(view.voters())
                        .append(" suspended ")
                        .append(view.suspended())
                        .append("\n      in force: ")
                        .append(member.runtime
                                .configurationInForce(GROUP)
                                .map(Object::toString)
                                .orElse("none"));
            } else {
                text.append("down");
            }
        }
        return text.toString();
    }

    private static String stackOf(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    void schedule(long time, Runnable action) {
        events.schedule(time, action);
    }

    /** Runs what is due up to {@code deadlineMicros}, or until {@code done} holds. */
    private void runUntil(long deadlineMicros, BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            Runnable action = events.next(deadlineMicros);
            if (action == null) {
                return;
            }
            if (events.scheduled() > MAX_STEPS) {
                throw new InvariantViolation(
                        "progress: a run stays within " + MAX_STEPS + " steps",
                        "a message storm or a busy loop at " + now() / 1000 + " ms");
            }
            action.run();
        }
    }

    long now() {
        return events.now();
    }

    void count(Injected kind) {
        injected.merge(kind, 1L, Long::sum);
    }

    private void mix(long a, long b) {
        traceHash = (traceHash ^ a ^ (b << 8) ^ now()) * 1099511628211L;
    }

    void log(String line) {
        mix(line.hashCode(), 2);
        if (trace != null) {
            trace.printf("%9.3fms %s%n", now() / 1000.0, line);
        }
    }
}
