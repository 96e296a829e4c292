package dev.echo.testkit.sim;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.MulticastView;
import dev.echo.core.Ordering;
import dev.echo.core.PeerAddress;
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

    private static final String GROUP = "sim";
    private static final long TICK_MICROS = 10_000;
    private static final int KEYS = 4;
    /** About 20 times what a seed takes: more is a message storm or a busy loop, not a slow run. */
    private static final long MAX_STEPS = 1_000_000;
    /** Small segments, so a run rolls, compacts and reuses them. */
    private static final int SEGMENT_BYTES = 64 * 1024;
    /** At most this many machines in a run: the original members and the brand-new ones that join from seeds. */
    private static final int MAX_MACHINES = 7;

    private final SimulationOptions options;
    private final Setup setup;
    private final SplittableRandom random;
    /**
     * Draws each new machine's seeds, apart from {@link #random} so that the rest of a run draws as before: which
     * original members, in which order, a new machine is told of.
     */
    private final SplittableRandom seedDraws;
    /** How long a silent voter goes unsuspected, drawn per seed (with {@link Fault#DYNAMIC_VOTING}). */
    private final long suspectMillis;

    private final SimNetwork network;
    private final PrintStream trace;
    /** Every machine of the run: the original members first, then the machines that joined, retired ones too. */
    private final List<Member> members = new ArrayList<>();
    /** How many machines the group started with: the bootstrap voters, and the seeds a new machine asks. */
    private final int originals;

    private final EventQueue events = new EventQueue();
    private final NodeClients clients;
    private final EnumMap<Injected, Long> injected = new EnumMap<>(Injected.class);
    private final ObservedRules rules = new ObservedRules(this::log);
    /** What the applications hear of multicast ({@link Fault#MULTICAST}), checked as they hear it. */
    private final NodeMulticasts multicasts = new NodeMulticasts();
    /** Multicasts sent so far: each payload is unique. */
    private long multicastsSent;

    private long traceHash = 1469598103934665603L;
    /** Membership changes asked through the API and not yet answered, and when the last one was answered. */
    private int changesInFlight;

    private long lastChangeSettledAt;
    /** The newest view epoch any member reported, and since when. */
    private long newestEpoch = -1;

    private long newestEpochSince;
    /** Whether a member's disk is full now: one at a time. */
    private boolean diskFull;
    /** A rule broken inside a node's call into the simulator, thrown once the node's step is over. */
    private InvariantViolation violation;

    /** One simulated machine: its journal outlives its processes. */
    private final class Member {
        final int index;
        final MemberId id;
        /** The machine's disk: it outlives the machine's processes. */
        final SimFileLayer disk = new SimFileLayer();

        FileJournal journal;
        /** Whether a disk batch of this life is scheduled. */
        boolean diskBusy;
        /**
         * Whether the member's journal was damaged and the group has not yet counted its repaired life as a voter
         * (PROTOCOL.md §5, "Re-admitted"): faults that take members down wait for that.
         */
        boolean damaged;
        /** The view epoch at which the damaged member was repaired, -1 before. */
        long repairedAtEpoch = -1;
        /** Whether this life's journal stopped after an I/O error: an operator will restart the process. */
        boolean journalStopped;
        /** A brand-new machine that joins from the seeds at this address (PROTOCOL.md §8); empty for an original. */
        final Optional<MemberAddress> joinsAt;
        /**
         * A new machine's seeds, which it is given as its initial voters: some of the original members in any order,
         * as an operator lists a few addresses (a seed list need not be the group's initial configuration).
         */
        List<Member> seeds = List.of();
        /** Replaced and gone for good: its process is dead and never restarts, and no check or fault counts it. */
        boolean retired;
        /** Whether this new machine has seen itself in its group's view: its join was committed. */
        boolean joined;
        /** Whether a member asked to replace this one: it may be out of the group even if no answer said so. */
        boolean replacementAsked;
        /** The epoch of the last view this life's application saw ({@code view()} at start, then the listener's). */
        long viewEpoch;

        SimTransport transport;
        EchoNode node;
        /** The node's runtime, asked for the configuration in force in its log (committed or not). */
        NodeRuntime runtime;

        ReplicatedGroup group;
        StateMachine state;
        int life;

        Member(int index, Optional<MemberAddress> joinsAt) {
            this.index = index;
            this.id = MemberId.of("n" + (index + 1));
            this.joinsAt = joinsAt;
        }

        boolean up() {
            return node != null;
        }
    }

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
        this.seedDraws = new SplittableRandom(options.seed() ^ 0x5EED5L);
        this.suspectMillis = random.nextLong(1_000, 2_500);
        this.network = new SimNetwork(random.split());
        this.trace = trace;
        int count = options.members() != 0 ? options.members() : 3 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            members.add(new Member(i, Optional.empty()));
        }
        this.originals = count;
        this.clients = new NodeClients(events, random, setup.workload(), this::anyMemberUp, this::log);
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
        schedule(random.nextLong(200_000, 600_000), this::injectFault);
        if (options.faults().contains(Fault.RECONFIGURE)) {
            schedule(random.nextLong(500_000, 2_000_000), this::changeMembership);
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

    private void start(Member member) {
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
            if (diskFull) {
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

    private ReplicatedGroup join(Member member, EchoNode node, GroupOptions options) {
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
    private void viewsGoForward(Member member, View view) {
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
        List<Member> up = members.stream().filter(Member::up).toList();
        if (!up.isEmpty()) {
            Member sender = up.get(random.nextInt(up.size()));
            Ordering ordering = Ordering.values()[random.nextInt(Ordering.values().length)];
            sender.group.multicast(multicasts.nextPayload(sender.id, ++multicastsSent), ordering);
            drain(sender);
        }
        schedule(now() + random.nextLong(5_000, 60_000), this::multicastSome);
    }

    private void tick(Member member, int life) {
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
    private void drain(Member member) {
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
    private void scheduleDisk(Member member) {
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
    private void onStorageFault(Member member, EchoException cause) {
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
    private void checkStatus(Member member) {
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
    private void awaitReadmission(Member member, GroupStatus status) {
        boolean serving = status.role() == GroupStatus.Role.FOLLOWER || status.role() == GroupStatus.Role.LEADER;
        View view = member.group.view();
        if (member.repairedAtEpoch < 0) {
            if (serving) {
                // The newest view anywhere: a repaired member replays older ones as it catches up.
                member.repairedAtEpoch = members.stream()
                        .filter(Member::up)
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

    private void crash(Member member) {
        crash(member, false);
    }

    private void operatorRestart(Member member) {
        log(member.id + " restarted by its operator");
        crash(member);
        restart(member);
    }

    /** The member's process dies; {@code misdirect}: one of its unforced sectors lands at a wrong offset. */
    private void crash(Member member, boolean misdirect) {
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

    private void send(Member from, MemberId to, Envelope envelope) {
        InvariantViolation broken = rules.spoke(from.id, envelope.incarnation(), envelope.message());
        if (broken != null && violation == null) {
            violation = broken; // thrown after the node's step, in drain
        }
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

    /** The faults this simulator injects as events, in a fixed order so a seed draws the same one every time. */
    private static final List<Fault> INJECTED = List.of(
            Fault.CRASH,
            Fault.PARTITION,
            Fault.LOSS,
            Fault.DUPLICATE,
            Fault.REORDER,
            Fault.IO_ERROR,
            Fault.DISK_FULL,
            Fault.READ_ERROR,
            Fault.DAMAGE);

    private void injectFault() {
        if (now() >= options.faultPhaseMillis() * 1000) {
            return;
        }
        List<Fault> kinds = INJECTED.stream().filter(options.faults()::contains).toList();
        if (kinds.isEmpty()) {
            return;
        }
        Fault fault = kinds.get(random.nextInt(kinds.size()));
        long repairAfter = random.nextLong(300_000, 4_000_000);
        schedule(now() + random.nextLong(200_000, 1_500_000), this::injectFault);
        List<Member> active = active();
        if (harmsAMember(fault) && active.stream().anyMatch(m -> m.damaged || m.journalStopped)) {
            log("fault held back: a member is still being repaired or restarted");
            return;
        }
        Member victim = active.get(random.nextInt(active.size()));
        switch (fault) {
            case CRASH -> {
                if (victim.up()) {
                    crash(victim);
                    schedule(now() + repairAfter, () -> restart(victim));
                }
            }
            case PARTITION -> {
                network.partition(members.size(), random);
                count(Injected.PARTITION);
                log("partition");
                schedule(now() + repairAfter, this::healLinks);
            }
            case LOSS -> {
                network.lossRate = random.nextDouble() * 0.3;
                log("loss " + network.lossRate);
                schedule(now() + repairAfter, () -> network.lossRate = 0);
            }
            case DUPLICATE -> {
                network.duplicateRate = random.nextDouble() * 0.2;
                log("duplicate " + network.duplicateRate);
                schedule(now() + repairAfter, () -> network.duplicateRate = 0);
            }
            case REORDER -> {
                network.jitterMicros = random.nextLong(5_000, 40_000);
                log("jitter " + network.jitterMicros);
                schedule(now() + repairAfter, () -> network.jitterMicros = 1_500);
            }
            case IO_ERROR -> {
                if (victim.up()) {
                    victim.disk.failNextForce(); // the journal stops; the operator restarts the process
                    count(Injected.IO_ERROR);
                    log(victim.id + " disk: the next force fails");
                }
            }
            case DISK_FULL -> {
                if (!diskFull) {
                    diskFull = true;
                    victim.disk.capacityBytes(victim.disk.usedBytes() + random.nextLong(SEGMENT_BYTES / 2));
                    count(Injected.DISK_FULL);
                    log(victim.id + " disk full");
                    schedule(now() + repairAfter, () -> {
                        victim.disk.capacityBytes(Long.MAX_VALUE);
                        diskFull = false;
                        log(victim.id + " disk has space again");
                    });
                }
            }
            case READ_ERROR -> {
                if (victim.up()) {
                    victim.disk.failReads(true); // a crash or restart in between ends it too
                    count(Injected.READ_ERROR);
                    log(victim.id + " disk: reads fail");
                    SimFileLayer disk = victim.disk;
                    schedule(now() + repairAfter, () -> {
                        disk.failReads(false); // a full disk meanwhile stays full
                        log(victim.id + " disk: reads work again");
                    });
                }
            }
            case DAMAGE -> damage(victim, repairAfter);
            default -> throw new IllegalStateException("not an injected fault: " + fault);
        }
    }

    /**
     * Crashes a member and damages what its disk holds: a bit flipped in forced data, or an unforced sector that
     * lands at a wrong offset. It restarts STORAGE_FAULTED, or not at all damaged if the bit hit unused space. One
     * member at a time, while every other member runs and at least three voters count, so that the rest can elect a
     * leader to repair it.
     */
    private void damage(Member victim, long repairAfter) {
        List<Member> active = active();
        if (!options.faults().contains(Fault.DYNAMIC_VOTING)) {
            return; // without re-admission a damaged member stays uncounted until the application re-adds it
        }
        // Every other member runs and hears the rest, as for a wipe in the protocol simulator: a leader cut off from a
        // voter would suspend it through a J whose new half leans on the victim, which no one may then replace
        // (docs/protocol.md, "What remains unrecoverable").
        if (!active.stream().allMatch(Member::up) || network.anyCut()) {
            return;
        }
        // The group must be settled, so that the rest can outvote the lost copy and elect a leader to repair it: no
        // change asked or just answered, the newest view applied at every member and stable for a while (dynamic
        // voting changes it too), and at least three voters in it.
        View view = victim.group.view();
        for (Member member : active) {
            if (member.group.view().epoch() > view.epoch()) {
                view = member.group.view();
            }
        }
        long newest = view.epoch();
        boolean settled = changesInFlight == 0
                && now() - lastChangeSettledAt > 3_000_000
                && now() - newestEpochSince > 3_000_000
                && active.stream().allMatch(m -> m.group.view().epoch() == newest);
        if (!settled || !view.suspended().isEmpty() || view.voters().size() < 3 || !othersOutvote(victim, active)) {
            return;
        }
        boolean misdirect = random.nextBoolean();
        crash(victim, misdirect);
        // Not the journal's identity file: damage there stops the node with WRONG_OWNER until an operator replaces
        // the disk, which is a wipe, not a repair.
        boolean flipped = !misdirect
                && victim.disk.flipDurableBit(
                        random, path -> !path.getFileName().toString().equals("journal.id"));
        victim.damaged = true;
        victim.repairedAtEpoch = -1;
        count(Injected.DAMAGE);
        log(victim.id + " disk damaged (" + (flipped ? "bit flip" : "misdirected write") + ")");
        schedule(now() + repairAfter, () -> restart(victim));
    }

    /**
     * Whether the members other than {@code victim} form a quorum of the configuration in force at every member: the
     * one in its log, committed or not. A view shows only what was applied, but a change still in flight (dynamic
     * voting's, say) whose new half needs the victim could never commit once the victim's vote is lost, and no later
     * change may replace it, since the lost copy may have acknowledged it (PROTOCOL.md §3).
     */
    private static boolean othersOutvote(Member victim, List<Member> active) {
        return active.stream().allMatch(member -> member.runtime
                .configurationInForce(GROUP)
                .map(inForce -> inForce.isQuorum(id -> !id.equals(victim.id)))
                .orElse(true)); // a member that left the group holds no configuration in force
    }

    /** Faults that take a member down while another one may still depend on the rest to be repaired. */
    private static boolean harmsAMember(Fault fault) {
        return fault == Fault.CRASH
                || fault == Fault.DAMAGE
                || fault == Fault.IO_ERROR
                || fault == Fault.DISK_FULL
                || fault == Fault.PARTITION;
    }

    private void restart(Member member) {
        if (!member.up() && !member.retired) {
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
        // As in the protocol simulator, edits wait while a damaged member is uncounted: re-weighting it to a majority
        // then would leave the group without a quorum for good (liveness only).
        if (!up.isEmpty() && members.stream().noneMatch(m -> m.damaged)) {
            Member asker = up.get(random.nextInt(up.size()));
            List<Member> active = active();
            MemberId about = active.get(random.nextInt(active.size())).id;
            int kind = random.nextInt(6);
            if (kind >= 4) {
                if (kind == 4) {
                    joinFromSeeds();
                } else {
                    replaceByAJoinedMachine(asker);
                }
                schedule(now() + random.nextLong(500_000, 2_000_000), this::changeMembership);
                return;
            }
            CompletableFuture<?> change =
                    switch (kind) {
                        case 0 -> asker.group.addVoter(about, 1 + random.nextInt(3));
                        case 1 -> asker.group.makeTop(about);
                        case 2 -> asker.group.addLearner(about);
                        default -> asker.group.addVoter(about, 1);
                    };
            changesInFlight++;
            change.whenComplete((done, error) -> {
                changesInFlight--;
                lastChangeSettledAt = now();
            });
            count(Injected.MEMBERSHIP_CHANGE);
            log(asker.id + " asks "
                    + (kind == 0 ? "re-weight " : kind == 1 ? "make top " : kind == 2 ? "demote " : "promote ")
                    + about);
            drain(asker);
        }
        schedule(now() + random.nextLong(500_000, 2_000_000), this::changeMembership);
    }

    /**
     * A brand-new machine (new id, empty disk) starts and asks its seeds (some original members in a drawn order,
     * given as its initial voters) to add it as a learner at its address (PROTOCOL.md §8); its runtime asks again with
     * back-off until the leader has. One at a time, and at most {@link #MAX_MACHINES} machines in a run.
     */
    private void joinFromSeeds() {
        boolean oneStillJoining = active().stream().anyMatch(m -> m.joinsAt.isPresent() && !inAnyView(m.id));
        // As an operator would: the seeds must include a voter that runs, which passes the request on to its leader;
        // a machine given only learners or dead machines as seeds waits for good.
        View newest = newestView(active());
        List<Member> voting = members.subList(0, originals).stream()
                .filter(seed -> seed.up() && !seed.retired && newest.isVoter(seed.id))
                .toList();
        if (members.size() >= MAX_MACHINES || oneStillJoining || voting.isEmpty()) {
            return;
        }
        int index = members.size();
        Member fresh = new Member(
                index,
                Optional.of(
                        MemberAddress.of(new PeerAddress("10.0.0." + (index + 1), 7000), new byte[] {(byte) index})));
        List<Member> seeds = new ArrayList<>(members.subList(0, originals));
        for (int i = seeds.size() - 1; i > 0; i--) {
            java.util.Collections.swap(seeds, i, seedDraws.nextInt(i + 1));
        }
        seeds = new ArrayList<>(seeds.subList(0, 1 + seedDraws.nextInt(seeds.size())));
        if (seeds.stream().noneMatch(voting::contains)) {
            seeds.set(0, voting.get(seedDraws.nextInt(voting.size())));
        }
        fresh.seeds = List.copyOf(seeds);
        members.add(fresh);
        log(fresh.id + " JOINS at " + fresh.joinsAt.get().endpoint() + " from the seeds "
                + fresh.seeds.stream().map(seed -> seed.id).toList());
        start(fresh);
    }

    /**
     * {@code asker} asks to replace a voter by a machine that joined (PROTOCOL.md §8): it waits for the new machine to
     * catch up, then swaps it in at the voter's rank and weight in one joint change. The replaced machine is retired
     * once the change commits, as its operator would: it never runs again, and checks and faults leave it out.
     */
    private void replaceByAJoinedMachine(Member asker) {
        List<Member> joined = active().stream()
                .filter(m -> m.joinsAt.isPresent()
                        && m.up()
                        && asker.group.view().learners().contains(m.id))
                .toList();
        List<View.Member> voters = asker.group.view().voters();
        if (joined.isEmpty() || voters.size() < 2) {
            return;
        }
        Member fresh = joined.get(random.nextInt(joined.size()));
        MemberId old = voters.get(random.nextInt(voters.size())).id();
        Member replaced = members.get(Integer.parseInt(old.value().substring(1)) - 1);
        changesInFlight++;
        replaced.replacementAsked = true;
        asker.group.replace(old, fresh.id, fresh.joinsAt.get()).whenComplete((view, error) -> {
            changesInFlight--;
            lastChangeSettledAt = now();
            if (error == null && !view.contains(old)) {
                count(Injected.REPLACED);
                replaced.retired = true;
                // Not from inside the node that completed the future: the replaced one may be the asker itself.
                schedule(now(), () -> {
                    log(fresh.id + " REPLACED " + old + ": retired");
                    crash(replaced);
                });
            }
        });
        log(asker.id + " asks replace " + old + " by " + fresh.id);
        drain(asker);
    }

    /** The view with the highest epoch among {@code machines} that run. */
    private static View newestView(List<Member> machines) {
        View newest = null;
        for (Member member : machines) {
            if (member.up() && (newest == null || member.group.view().epoch() > newest.epoch())) {
                newest = member.group.view();
            }
        }
        return newest;
    }

    /** Whether any running member's view names {@code id}. */
    private boolean inAnyView(MemberId id) {
        return members.stream().anyMatch(m -> m.up() && m.group.view().contains(id));
    }

    /** The machines that are not retired: what faults, membership edits and the final checks are about. */
    private List<Member> active() {
        return members.stream().filter(m -> !m.retired).toList();
    }

    private void heal() {
        network.healAll();
        members.forEach(member -> member.disk.heal());
        diskFull = false;
        members.forEach(this::restart);
        clients.healed();
        log("HEAL every fault; liveness phase begins");
    }

    // ---------------------------------------------------------------- clients

    /** A random member that is up, for a client to ask, or null if none is. */
    private NodeClients.Target anyMemberUp() {
        List<Member> up = members.stream().filter(Member::up).toList();
        if (up.isEmpty()) {
            return null;
        }
        Member member = up.get(random.nextInt(up.size()));
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
        List<Member> active = active();
        for (Member member : active) {
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
        View newest = newestView(active);
        for (Member member : active) {
            boolean aSeedVotes =
                    member.seeds.stream().anyMatch(seed -> seed.up() && !seed.retired && newest.isVoter(seed.id));
            if (member.joinsAt.isPresent() && !member.joined && aSeedVotes) {
                return Optional.of(
                        "join: " + member.id + " asked the seeds to join and was never added; " + describeMembers());
            }
        }
        // A replacement whose answer was lost (a timeout, a crash of the asker) may have committed all the same: the
        // replaced member is then out of the newest view, and idle for good, like any removed member.
        List<Member> inTheGroup = active.stream()
                .filter(m -> !m.replacementAsked || newest.contains(m.id))
                .filter(m -> m.joinsAt.isEmpty() || m.joined)
                .toList();
        Member first = inTheGroup.get(0);
        for (Member member : inTheGroup) {
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
        for (Member member : members) {
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
            if (events.scheduled() > MAX_STEPS) {
                throw new InvariantViolation(
                        "progress: a run stays within " + MAX_STEPS + " steps",
                        "a message storm or a busy loop at " + now() / 1000 + " ms");
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
