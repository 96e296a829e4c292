package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.ProtocolCounters;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Role;
import dev.echo.testkit.check.InvariantViolation;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A scripted run of the simulator: named members, a fixed configuration and protocol policy, and faults the test
 * applies by hand (crash, restart, partition) instead of drawing them from the seed. The network still delays and
 * the workload still runs its clients; every invariant of PROTOCOL.md §11 is checked after every step, and
 * {@link #finish()} checks the client history for linearizability. This is how the PROTOCOL.md §12 scenarios and
 * the dynamic-voting demonstrations are written as readable tests.
 *
 * <p>Single-threaded; one instance per scenario. An invariant violation surfaces as {@link InvariantViolation}.
 */
public final class Scenario {
    private final Simulation sim;
    private long requestIds;

    private Scenario(Simulation sim) {
        this.sim = sim;
    }

    /** Starts a scenario: every member of {@code configuration} up, two clients writing. */
    public static Scenario start(long seed, Configuration configuration, ProtocolOptions options) {
        return start(seed, configuration, options, Set.of(), null);
    }

    /** Starts a scenario with deliberate protocol bugs switched on, and an optional trace. */
    public static Scenario start(
            long seed,
            Configuration configuration,
            ProtocolOptions options,
            Set<Mutation> mutations,
            PrintStream trace) {
        SimulationOptions simOptions = SimulationOptions.defaults(seed)
                .withFaults(EnumSet.noneOf(Fault.class))
                .withMutations(mutations);
        Simulation sim = new Simulation(simOptions, trace, configuration, options);
        sim.begin();
        return new Scenario(sim);
    }

    /** Lets {@code millis} of simulated time pass. */
    public Scenario runFor(long millis) {
        sim.runUntil(sim.now() + millis * 1000, () -> false);
        return this;
    }

    /**
     * Lets simulated time pass until {@code condition} holds (checked after every step) or {@code maxMillis} pass;
     * returns whether it held. Used to strike at an exact protocol moment, e.g. right after a leader appended J.
     */
    public boolean runUntil(BooleanSupplier condition, long maxMillis) {
        sim.runUntil(sim.now() + maxMillis * 1000, condition);
        return condition.getAsBoolean();
    }

    /** Asks the current leader for {@code change} (through J when votes change). */
    public Scenario requestChange(MembershipChange change) {
        List<String> leaders = leaders();
        if (leaders.size() != 1) {
            throw new IllegalStateException("no single leader to ask: " + leaders);
        }
        return ask(leaders.get(0), change);
    }

    /** Asks {@code member} for a membership edit, as its application would. */
    public Scenario ask(String member, MembershipChange change) {
        sim.input(node(member), new Input.ChangeMembership(++requestIds, change));
        return this;
    }

    /** {@code member}'s current term (it must be up). */
    public long term(String member) {
        return core(member).term();
    }

    /** How often {@code member} (it must be up) counted {@code counter} in this life. */
    public long count(String member, ProtocolCounters.Counter counter) {
        return core(member).counters().get(counter);
    }

    /** Crashes {@code member}: it loses everything not yet durable. */
    public Scenario crash(String member) {
        sim.crash(node(member), false);
        return this;
    }

    /** Crashes {@code member} and replaces its disk by an empty one, under a new incarnation; restart it after. */
    public Scenario wipe(String member) {
        sim.wipe(node(member));
        return this;
    }

    /** Crashes {@code member} and damages its journal (a checksum failure mid-log); restart it after. */
    public Scenario damage(String member) {
        sim.damage(node(member));
        return this;
    }

    /** {@code member}'s status (it must be up). */
    public MemberStatus status(String member) {
        return core(member).status();
    }

    /** Restarts {@code member} from its disk. */
    public Scenario restart(String member) {
        sim.restart(node(member));
        return this;
    }

    /** Cuts every link between {@code side} and the other members, both ways. */
    public Scenario partition(Set<String> side) {
        for (SimNode a : sim.nodes()) {
            for (SimNode b : sim.nodes()) {
                if (side.contains(a.id().value()) != side.contains(b.id().value())) {
                    sim.network().cut(a.index(), b.index());
                }
            }
        }
        sim.traceLine("  scenario: partition " + side + " | rest");
        return this;
    }

    /** Restores every link. */
    public Scenario healNetwork() {
        sim.network().healAll();
        return this;
    }

    /** Writes acknowledged to the clients so far. */
    public long committedWrites() {
        return sim.workload().committedWrites();
    }

    /** The members that currently lead (at most one per term; several across terms while messages are in flight). */
    public List<String> leaders() {
        return sim.nodes().stream()
                .filter(n -> n.alive() && n.core().orElseThrow().role() == Role.LEADER)
                .map(n -> n.id().value())
                .toList();
    }

    /** The configuration in {@code member}'s log (it must be up). */
    public QuorumSystem configurationAt(String member) {
        return core(member).configuration();
    }

    /** The configuration at the current leader, if there is exactly one. */
    public Optional<QuorumSystem> leaderConfiguration() {
        List<String> leaders = leaders();
        return leaders.size() == 1 ? Optional.of(configurationAt(leaders.get(0))) : Optional.empty();
    }

    /** The index of the latest configuration entry in {@code member}'s log, 0 for none (it must be up). */
    public long configurationIndex(String member) {
        return core(member).log().configurationIndex();
    }

    /** {@code member}'s commit index (it must be up). */
    public long commitIndex(String member) {
        return core(member).commitIndex();
    }

    /** The index of the snapshot {@code member}'s log starts after (it must be up). */
    public long snapshotIndex(String member) {
        return core(member).log().snapshotIndex();
    }

    /** How many snapshots {@code member} installed from a leader. */
    public int snapshotsInstalled(String member) {
        return node(member).snapshotsInstalled();
    }

    /** {@code member}'s disk. */
    public SimDisk disk(String member) {
        return node(member).disk();
    }

    /** Ends the run: final invariant checks and linearizability; returns the first failure, if any. */
    public Optional<String> finish() {
        try {
            return sim.finishChecks();
        } catch (InvariantViolation violation) {
            return Optional.of(violation.getMessage());
        }
    }

    /** {@code member}'s running core; it must be up. */
    private GroupProtocol core(String member) {
        return node(member).core().orElseThrow(() -> new IllegalStateException(member + " is down"));
    }

    private SimNode node(String member) {
        MemberId id = MemberId.of(member);
        return sim.nodes().stream()
                .filter(n -> n.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no member " + member));
    }
}
