package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.DynamicVoting;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.MulticastPolicy;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.SafetyRules;
import dev.echo.core.protocol.SnapshotPolicy;
import dev.echo.core.protocol.Voter;
import dev.echo.testkit.check.InvariantChecker;
import dev.echo.testkit.check.InvariantViolation;
import dev.echo.testkit.check.MemberState;
import dev.echo.testkit.check.StepRecord;
import dev.echo.testkit.lin.KvLinearizability;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Runs the real protocol core of N members under a seeded, simulated world: network (delay, loss, duplication,
 * reordering, symmetric and one-way partitions), per-member clocks, crashes that lose everything not yet durable,
 * torn writes, and a client workload. Every invariant of PROTOCOL.md §11 it knows is checked after every step; at
 * the end the client history is checked for linearizability, and after the faults heal the group must commit
 * again within a bound. One seed fixes everything: the same options replay the same run (same trace hash).
 *
 * <p>Single-threaded; one instance per run.
 */
public final class Simulation {
    /** The log cache of every member under {@link Fault#EVICTION}: a few dozen simulated entries. */
    private static final long EVICTION_CACHE_BYTES = 2_048;
    /**
     * The slowest read of evicted entries from the simulated disk, in µs: a read may come back after a leader change,
     * a truncation or a snapshot it did not know of.
     */
    private static final long SLOWEST_LOG_READ_MICROS = 20_000;

    static final long TICK_MICROS = 10_000;

    private final SimulationOptions options;
    private final SplittableRandom random;
    /** Draws read latencies under {@link Fault#EVICTION}; a stream of its own, so other runs replay as before. */
    private final SplittableRandom readLatency;
    /** A run normally takes well under a million steps; far beyond that, messages are multiplying without end. */
    private static final long MAX_STEPS = 10_000_000;

    private final EventQueue events = new EventQueue();
    private final List<SimNode> nodes = new ArrayList<>();
    private final SimNetwork network;
    private final Configuration configuration;
    private final Reconfigurer reconfigurer;
    private final ProtocolOptions protocolOptions;
    private final InvariantChecker checker;
    private final Workload workload;
    private final SimSnapshots snapshots = new SimSnapshots(this);
    private final PrintStream trace;
    private long steps;
    private long traceHash = 1469598103934665603L;
    private final EnumMap<Injected, Long> injected = new EnumMap<>(Injected.class);
    /** Every rule kept, or the run's deliberate bugs (SimulationOptions.mutations). */
    private final SafetyRules rules;
    /** Multicasts beside the log, when {@link Fault#MULTICAST} is on; else null. */
    private final MulticastWorkload multicasts;

    private Simulation(SimulationOptions options, PrintStream trace) {
        this(options, trace, null, null);
    }

    /**
     * A run; {@code fixedConfiguration} and {@code fixedProtocol}, when given, replace what the seed would draw
     * (scripted {@link Scenario}s name their members and policy).
     */
    Simulation(
            SimulationOptions options,
            PrintStream trace,
            Configuration fixedConfiguration,
            ProtocolOptions fixedProtocol) {
        this.options = options;
        this.trace = trace;
        this.random = new SplittableRandom(options.seed());
        this.readLatency = new SplittableRandom(options.seed() * 0x94D049BB133111EBL + 37);
        this.network = new SimNetwork(random.split());
        int count = options.members() == 0 ? 3 + random.nextInt(5) : options.members();
        // Membership changes draw from their own stream, so runs without them replay exactly as they always did.
        SplittableRandom membership = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + 17);
        boolean reconfigure = options.faults().contains(Fault.RECONFIGURE);
        int spares = reconfigure ? membership.nextInt(3) : 0;
        List<Voter> voters = new ArrayList<>();
        for (int i = 0; i < count + spares; i++) {
            MemberId id = MemberId.of("n" + (i + 1));
            if (fixedConfiguration == null) {
                nodes.add(new SimNode(i, id));
            }
            if (i < count) {
                voters.add(new Voter(id, 1 + random.nextInt(3)));
            }
        }
        if (fixedConfiguration != null) {
            for (MemberId id : fixedConfiguration.members()) {
                nodes.add(new SimNode(nodes.size(), id));
            }
        }
        this.configuration = fixedConfiguration != null ? fixedConfiguration : Configuration.ofVoters(voters);
        this.reconfigurer = reconfigure ? new Reconfigurer(this, membership.split(), nodes) : null;
        // Dynamic voting on fault timescales (faults last 0.3-4 s): suspects after 0.6-2.5 s, so crashes and
        // partitions shrink the group and healing re-admits. Floors drawn too, so the floor path is exercised.
        DynamicVoting drawnPolicy = DynamicVoting.defaults()
                .withTimeouts(60 + membership.nextInt(190), 10 + membership.nextInt(90))
                .withFloors(1 + membership.nextInt(2), membership.nextBoolean() ? 0.0 : 0.4);
        DynamicVoting dynamicVoting =
                options.faults().contains(Fault.DYNAMIC_VOTING) ? drawnPolicy : DynamicVoting.off();
        int[] entriesPerAppend = {1, 3, 64};
        int[] inflightAppends = {1, 2, 8, 32};
        ProtocolOptions drawn = ProtocolOptions.defaults()
                .withMinCopies(1 + random.nextInt(Math.min(2, count)))
                .withBatching(
                        entriesPerAppend[random.nextInt(entriesPerAppend.length)],
                        inflightAppends[random.nextInt(inflightAppends.length)])
                .withDynamicVoting(dynamicVoting)
                .withSnapshots(snapshotPolicy(options))
                .withMulticast(
                        options.faults().contains(Fault.MULTICAST)
                                ? MulticastPolicy.on(50 + membership.nextInt(150))
                                : MulticastPolicy.off());
        this.protocolOptions = fixedProtocol != null ? fixedProtocol : drawn;
        this.rules = Mutation.rulesBreaking(options.mutations());
        this.checker = new InvariantChecker(nodes, configuration, protocolOptions);
        this.workload = new Workload(this, random.split(), checker.exactlyOnce(), options.clients());
        this.multicasts = protocolOptions.multicast().enabled()
                ? new MulticastWorkload(this, new SplittableRandom(options.seed() * 0xD6E8FEB86659FD93L + 31))
                : null;
    }

    /** Snapshots on simulator scales when the fault is on, from their own random stream (other runs replay as before). */
    private static SnapshotPolicy snapshotPolicy(SimulationOptions options) {
        if (!options.faults().contains(Fault.SNAPSHOT)) {
            return SnapshotPolicy.never();
        }
        SplittableRandom draw = new SplittableRandom(options.seed() * 0xC2B2AE3D27D4EB4FL + 29);
        return new SnapshotPolicy(20 + draw.nextInt(181), 32 + draw.nextInt(4_065), 10 + draw.nextInt(41));
    }

    /** Runs one simulation; {@code trace} receives a readable transcript, or null for none. */
    public static SimulationResult run(SimulationOptions options, PrintStream trace) {
        return new Simulation(options, trace).execute();
    }

    private SimulationResult execute() {
        begin();
        long faultEnd = options.faultPhaseMillis() * 1000;
        long deadline = faultEnd + options.livenessBoundMillis() * 1000;
        if (!FaultPlan.kindsToInject(options.faults()).isEmpty()) {
            schedule(random.nextLong(200_000, 600_000), this::injectFault);
        }
        schedule(faultEnd, this::heal);
        if (reconfigurer != null) {
            reconfigurer.start(faultEnd);
        }
        Optional<String> failure = Optional.empty();
        try {
            runUntil(deadline, workload::committedAfterHeal);
            if (!workload.committedAfterHeal()) {
                failure = Optional.of("liveness: no write committed within " + options.livenessBoundMillis()
                        + " ms of healing every fault");
            }
            failure = failure.or(this::finishChecks);
        } catch (InvariantViolation violation) {
            failure = Optional.of(violation.getMessage());
        } catch (IllegalStateException bug) {
            failure = Optional.of("core assertion: " + bug.getMessage());
        }
        failure.ifPresent(f -> traceLine("FAIL " + f));
        History history = workload.history();
        return new SimulationResult(
                options,
                nodes.size(),
                failure,
                steps,
                now(),
                traceHash,
                history,
                List.of(),
                new RunCounts(injected, history.operations().size()));
    }

    /** Starts every member (with its clock rate) and the workload. */
    void begin() {
        boolean drift = options.faults().contains(Fault.CLOCK_DRIFT);
        for (SimNode node : nodes) {
            double rate = drift ? 0.9 + 0.2 * random.nextDouble() : 1.0;
            node.tickPeriodMicros = Math.round(TICK_MICROS * rate);
            start(node);
        }
        workload.start();
        if (multicasts != null) {
            multicasts.start();
        }
    }

    /**
     * Processes events in time order up to {@code deadlineMicros}, or until {@code done} holds. Invariant violations
     * propagate as {@link InvariantViolation}.
     */
    void runUntil(long deadlineMicros, BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            Runnable action = events.next(deadlineMicros);
            if (action == null) {
                return;
            }
            if (steps > MAX_STEPS) {
                throw new InvariantViolation(
                        "runaway",
                        "more than " + MAX_STEPS + " steps by " + now() / 1000
                                + " ms of simulated time: a message storm");
            }
            action.run();
        }
    }

    /** The end-of-run checks: every checker's final rule, then linearizability of the client history. */
    Optional<String> finishChecks() {
        workload.finish();
        checker.atEnd();
        return KvLinearizability.check(workload.history().operations()).map(m -> "linearizability: " + m);
    }

    List<SimNode> nodes() {
        return nodes;
    }

    /** Counts one fault or change injected into this run. */
    void count(Injected kind) {
        injected.merge(kind, 1L, Long::sum);
    }

    /** When the fault phase ends and every fault is healed (simulated microseconds). */
    long faultPhaseEnd() {
        return options.faultPhaseMillis() * 1000;
    }

    SimNetwork network() {
        return network;
    }

    Workload workload() {
        return workload;
    }

    // ---------------------------------------------------------------- scheduling and stepping

    long now() {
        return events.now();
    }

    void schedule(long atMicros, Runnable action) {
        events.schedule(atMicros, action);
    }

    SimNode randomAliveNode() {
        List<SimNode> alive = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node.alive()) {
                alive.add(node);
            }
        }
        return alive.isEmpty() ? null : alive.get(random.nextInt(alive.size()));
    }

    /** Steps {@code node} with {@code input}, checks every invariant, and carries out the outputs. */
    void input(SimNode node, Input input) {
        GroupProtocol core = node.core;
        MemberState before = MemberState.of(core);
        QuorumSystem configurationBefore = core.configuration();
        core.step(input);
        List<Output> outputs = core.drainOutputs();
        MemberState after = MemberState.of(core);
        steps++;
        traceHash = mixTrace(traceHash, node.index(), input, after, outputs.size());
        if (trace != null) {
            traceLine(String.format(
                    "%9.3fms %-3s %-12s -> %s", now() / 1000.0, node.id(), describe(input), describe(after, outputs)));
        }
        if (trace != null && core.configuration() != configurationBefore) {
            traceLine(String.format("%9.3fms %-3s CONFIG %s", now() / 1000.0, node.id(), core.configuration()));
        }
        checker.afterStep(new StepRecord(
                now(),
                node,
                input,
                outputs,
                before,
                after,
                node.stateMachine.drainRecent(),
                node.stateMachine.drainViews()));
        evictIfSmallCache(node);
        carryOut(node, outputs);
    }

    /** Under {@link Fault#EVICTION}, the runtime's part: evicts between steps what exceeds the small cache. */
    private void evictIfSmallCache(SimNode node) {
        if (options.faults().contains(Fault.EVICTION)) {
            node.core.evictLogCache(EVICTION_CACHE_BYTES);
        }
    }

    /**
     * Reads evicted entries back from the disk, as the runtime's reader does off the group's thread, and reports them
     * after 100 µs to 20 ms: mostly fast, now and then slow, as a disk under load.
     */
    private void readLog(SimNode node, Output.ReadLog read) {
        int incarnation = node.incarnation;
        count(Injected.LOG_READ);
        long latency = readLatency.nextInt(10) == 0
                ? readLatency.nextLong(1_000, SLOWEST_LOG_READ_MICROS)
                : readLatency.nextLong(100, 1_000);
        schedule(now() + latency, () -> {
            if (node.alive() && node.incarnation == incarnation) {
                List<Entry> entries = node.disk().read(read.fromIndex(), read.toIndexExclusive(), read.maxBytes());
                input(node, new Input.LogRead(read.fromIndex(), entries));
            }
        });
    }

    private void carryOut(SimNode node, List<Output> outputs) {
        for (Output output : outputs) {
            if (output instanceof Output.Send send) {
                deliver(node, send);
            } else if (output instanceof Output.JournalWrite write) {
                journalWrite(node, write);
            } else if (output instanceof Output.TakeSnapshot take) {
                snapshots.take(node, take);
            } else if (output instanceof Output.SendSnapshotChunk chunk) {
                snapshots.sendChunk(node, chunk);
            } else if (output instanceof Output.StoreSnapshotChunk chunk) {
                snapshots.storeChunk(node, chunk);
            } else if (output instanceof Output.ReadLog read) {
                readLog(node, read);
            } else if (output instanceof Output.StateInstalled) {
                node.snapshotsInstalled++; // counted when the core reports it took the state over
            } else {
                if (reconfigurer != null && output instanceof Output.ReconfigurationCompleted done) {
                    reconfigurer.completed(done);
                }
                workload.onOutput(node, output);
            }
        }
    }

    private void journalWrite(SimNode node, Output.JournalWrite write) {
        int incarnation = node.incarnation;
        long latency = 100 + random.nextLong(1_900);
        long doneAt = node.disk().write(write, now(), latency);
        schedule(doneAt, () -> {
            if (node.alive() && node.incarnation == incarnation) {
                node.disk().complete(write.ticket());
                input(node, new Input.Persisted(write.ticket()));
            }
        });
    }

    /** Simulated disk latency of a snapshot write: a few fsyncs' worth. */
    long snapshotLatencyMicros() {
        return 500 + random.nextLong(4_500);
    }

    void deliver(SimNode from, Output.Send send) {
        SimNode to = nodeById(send.to());
        int copies = network.copies(from.index(), to.index());
        if (copies != 1) {
            count(copies == 0 ? Injected.DROPPED : Injected.DUPLICATED);
        }
        for (int i = 0; i < copies; i++) {
            Message message = send.message();
            long incarnation = from.disk().incarnation(); // of the life that sent it
            long arrival = now() + network.delayMicros();
            if (network.arrivesOutOfOrder(from.index(), to.index(), arrival)) {
                count(Injected.REORDERED);
            }
            schedule(arrival, () -> {
                if (to.alive()) {
                    input(to, new Input.Receive(message, incarnation));
                }
            });
        }
    }

    private SimNode nodeById(MemberId id) {
        for (SimNode node : nodes) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        throw new IllegalArgumentException("no member " + id);
    }

    // ---------------------------------------------------------------- crashes, restarts, faults

    private void start(SimNode node) {
        node.stateMachine = new RecordingStateMachine(node::entry);
        node.core = new GroupProtocol(
                node.id(),
                node.disk().incarnation(),
                configuration,
                protocolOptions,
                rules,
                node.disk().recover(node.stateMachine),
                node.stateMachine,
                options.seed() * 31 + node.index() * 1_000_003L + node.incarnation);
        checker.afterRestart(node.index());
        evictIfSmallCache(node);
        workload.memberStarted(node);
        traceLine(String.format(
                "%9.3fms %-3s START incarnation %d (disk %d), term %d, log %d",
                now() / 1000.0,
                node.id(),
                node.incarnation,
                node.disk().incarnation(),
                node.core.term(),
                node.core.log().lastIndex()));
        carryOut(node, node.core.drainOutputs());
        int incarnation = node.incarnation;
        schedule(now() + random.nextLong(node.tickPeriodMicros), () -> tickLoop(node, incarnation));
    }

    private void tickLoop(SimNode node, int incarnation) {
        if (node.alive() && node.incarnation == incarnation) {
            input(node, new Input.Tick());
            workload.tick(node);
            schedule(now() + node.tickPeriodMicros, () -> tickLoop(node, incarnation));
        }
    }

    void crash(SimNode node, boolean torn) {
        if (!node.alive()) {
            return;
        }
        node.core = null;
        workload.memberCrashed(node);
        node.incarnation++;
        node.disk().crash(torn, random);
        if (torn) {
            count(Injected.TORN_WRITE);
        }
        traceLine(String.format("%9.3fms %-3s CRASH%s", now() / 1000.0, node.id(), torn ? " (torn write)" : ""));
    }

    /** Crashes {@code node} and damages its journal: it restarts STORAGE_FAULTED (PROTOCOL.md §5). */
    void damage(SimNode node) {
        crash(node, false);
        node.disk().damage();
        traceLine(String.format(
                "%9.3fms %-3s DAMAGE: journal reports a fault, incarnation %d",
                now() / 1000.0, node.id(), node.disk().incarnation()));
    }

    /** Crashes {@code node} and replaces its disk by an empty one, under a new incarnation (PROTOCOL.md §5). */
    void wipe(SimNode node) {
        crash(node, false);
        node.disk().wipe();
        traceLine(String.format(
                "%9.3fms %-3s WIPE: disk replaced, incarnation %d",
                now() / 1000.0, node.id(), node.disk().incarnation()));
    }

    /**
     * Whether wiping {@code victim} keeps the group live: every other member runs and hears every other (a wipe is a
     * permanent failure, so it comes on top of a healthy group), every other member whose disk was wiped is already a
     * voter again at its new incarnation (or outside the configuration), and the others, as recorded, still form a
     * quorum of every configuration in force at any member (in its log, or on its disk while it is down). Safety needs
     * none of this; without it, wipes could destroy every copy of committed entries or every quorum, and the run could
     * never finish.
     */
    boolean mayWipe(SimNode victim) {
        if (network.anyCut()
                || nodes.stream()
                        .anyMatch(node ->
                                node != victim && (!node.alive() || node.disk().damaged()))
                || someConfigurationRecordsALostLife(false, victim)) {
            return false;
        }
        for (SimNode node : nodes) {
            boolean quorumLeft = configurationAt(node)
                    .isQuorumOf((id, incarnation) ->
                            !id.equals(victim.id()) && nodeById(id).disk().incarnation() == incarnation);
            if (!quorumLeft) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether damaging {@code victim}'s journal keeps the group live: as for a wipe, since the damaged member returns
     * as a new life (and must also find a leader to repair it), and while no other journal awaits repair.
     */
    boolean mayDamage(SimNode victim) {
        return !adjustingToDataLoss() && mayWipe(victim);
    }

    /** The configuration in force at {@code node}: in its log while it runs, on its disk while it is down. */
    private QuorumSystem configurationAt(SimNode node) {
        return node.alive()
                ? node.core().orElseThrow().log().configuration()
                : node.disk().configuration(configuration);
    }

    /**
     * Whether some configuration in force still counts a voter's life that was wiped. Until dynamic voting suspends
     * it, the group has one permanent failure to adjust to, and a further crash or partition could leave it without
     * any quorum for good: a J that counts the lost life cannot commit, and nothing may replace it, since that life
     * may have acknowledged it (PROTOCOL.md §3). The fault plan holds such faults back meanwhile (liveness only).
     */
    boolean countsALostLife() {
        return someConfigurationRecordsALostLife(true, null);
    }

    /**
     * Whether the configuration in force at some member records a life of another member ({@code except} aside, if
     * given) earlier than that member's disk: as a voter, or, unless {@code votersOnly}, as a suspended voter too.
     */
    private boolean someConfigurationRecordsALostLife(boolean votersOnly, SimNode except) {
        for (SimNode node : nodes) {
            QuorumSystem inForce = configurationAt(node);
            for (SimNode other : nodes) {
                if (other != except && recordsLostLife(other, inForce, votersOnly)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code inForce} (either half, if joint) records a life of {@code node} earlier than its disk's. */
    private static boolean recordsLostLife(SimNode node, QuorumSystem inForce, boolean votersOnly) {
        if (inForce instanceof JointConfiguration joint) {
            return recordsLostLife(node, joint.old(), votersOnly) || recordsLostLife(node, joint.next(), votersOnly);
        }
        Configuration configuration = (Configuration) inForce;
        long recorded = configuration.incarnationOf(node.id()); // -1 if not recorded at all
        return recorded >= 0
                && recorded < node.disk().incarnation()
                && (!votersOnly || configuration.isVoter(node.id()));
    }

    /** Whether a member's journal is damaged and not yet repaired. */
    private boolean someJournalDamaged() {
        return nodes.stream().anyMatch(node -> node.disk().damaged());
    }

    /**
     * Whether the group is still adjusting to lost data: a configuration counts a wiped voter's lost life, or a
     * damaged journal awaits its repair, which needs a leader the damaged member cannot vote for. Further crashes and
     * partitions now could leave the group without a quorum for good, so the fault plan holds them back (liveness).
     */
    boolean adjustingToDataLoss() {
        return countsALostLife() || someJournalDamaged();
    }

    /**
     * Whether a member lost its disk and is not yet counted again, or its journal is damaged and not yet repaired:
     * configuration edits wait for that (liveness).
     */
    boolean someoneUnsettled() {
        return someJournalDamaged() || someConfigurationRecordsALostLife(false, null);
    }

    void restart(SimNode node) {
        if (!node.alive()) {
            start(node);
        }
    }

    private void injectFault() {
        if (now() >= faultPhaseEnd()) {
            return;
        }
        new FaultPlan(this, network, random, options.faults()).injectOne(nodes);
        schedule(now() + random.nextLong(100_000, 800_000), this::injectFault);
    }

    private void heal() {
        network.healAll();
        for (SimNode node : nodes) {
            restart(node);
        }
        traceLine(String.format("%9.3fms HEAL every fault; liveness phase begins", now() / 1000.0));
        workload.healed(now());
    }

    // ---------------------------------------------------------------- trace

    void traceLine(String line) {
        if (trace != null) {
            trace.println(line);
        }
    }

    private static long mixTrace(long hash, int node, Input input, MemberState after, int outputs) {
        long h = hash;
        for (long v : new long[] {
            node,
            input.getClass().getName().hashCode(), // a name's hash: the same in every JVM and build
            after.term(),
            after.commitIndex(),
            after.lastIndex(),
            after.role().ordinal(),
            outputs
        }) {
            h = (h ^ v) * 1099511628211L;
        }
        return h;
    }

    private static String describe(Input input) {
        if (input instanceof Input.Receive receive) {
            Message m = receive.message();
            String detail = "";
            if (m instanceof Message.AppendRequest append) {
                detail = " prev " + append.prevIndex() + "/" + append.prevTerm() + " +"
                        + append.entries().size() + " commit " + append.commitIndex();
            } else if (m instanceof Message.AppendResponse response) {
                detail = (response.success()
                        ? " ok match " + response.matchIndex()
                        : " no hint " + response.conflictIndex());
            }
            return m.getClass().getSimpleName() + " from " + m.from() + " t" + m.term() + detail;
        }
        return input.getClass().getSimpleName();
    }

    private static String describe(MemberState state, List<Output> outputs) {
        StringBuilder out = new StringBuilder();
        out.append(state.role())
                .append(" t")
                .append(state.term())
                .append(" last ")
                .append(state.lastIndex())
                .append(" commit ")
                .append(state.commitIndex());
        for (Output output : outputs) {
            if (output instanceof Output.Send send) {
                out.append(" | send ")
                        .append(send.message().getClass().getSimpleName())
                        .append(" to ")
                        .append(send.to());
            } else if (output instanceof Output.Persist persist) {
                out.append(" | persist#")
                        .append(persist.ticket())
                        .append(" from ")
                        .append(persist.firstIndex())
                        .append(" +")
                        .append(persist.entries().size())
                        .append(persist.hardState().map(h -> " " + h).orElse(""));
            } else {
                out.append(" | ").append(output);
            }
        }
        return out.toString();
    }
}
