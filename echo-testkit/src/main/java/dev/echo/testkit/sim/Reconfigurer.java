package dev.echo.testkit.sim;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Role;
import dev.echo.core.protocol.Voter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Asks the current leader for random configuration changes while faults are injected (PROTOCOL.md §3, §8): remove or
 * add a voter, add or remove a learner, a machine joining at its address, replace a voter by a learner, re-weight a
 * voter, move a voter to the top. Stops when the faults heal, so
 * that the liveness check judges a settled group. Not thread-safe; runs on the simulator's thread.
 */
final class Reconfigurer {
    private final Simulation sim;
    private final SplittableRandom random;
    private final List<SimNode> nodes;
    private long stopAtMicros;
    private long nextRequestId;
    /** Joins and replacements asked and not yet answered, by request id: counted once committed. */
    private final Map<Long, Injected> watched = new HashMap<>();

    Reconfigurer(Simulation sim, SplittableRandom random, List<SimNode> nodes) {
        this.sim = sim;
        this.random = random;
        this.nodes = nodes;
    }

    void start(long stopAtMicros) {
        this.stopAtMicros = stopAtMicros;
        sim.schedule(random.nextLong(200_000, 800_000), this::propose);
    }

    private void propose() {
        if (sim.now() >= stopAtMicros) {
            return;
        }
        if (sim.someoneUnsettled()) { // a wiped voter not yet re-admitted: an edit now could leave no live quorum
            sim.schedule(sim.now() + random.nextLong(150_000, 700_000), this::propose);
            return;
        }
        SimNode leader = leader();
        SimNode asker = sim.randomAliveNode();
        if (random.nextBoolean() && asker != null) {
            // An edit asked at any member (a spare joining asks too): forwarded to the leader, or to every voter.
            MembershipChange edit = edit();
            watch(++nextRequestId, edit);
            sim.input(asker, new Input.ChangeMembership(nextRequestId, edit));
            sim.count(Injected.MEMBERSHIP_CHANGE);
        } else if (leader != null) {
            QuorumSystem current = leader.core().orElseThrow().configuration();
            if (current instanceof Configuration configuration) {
                MembershipChange change = change(configuration);
                if (change != null) {
                    watch(++nextRequestId, change);
                    sim.input(leader, new Input.ChangeMembership(nextRequestId, change));
                    sim.count(Injected.MEMBERSHIP_CHANGE);
                }
            }
        }
        sim.schedule(sim.now() + random.nextLong(150_000, 700_000), this::propose);
    }

    private void watch(long requestId, MembershipChange change) {
        if (change instanceof MembershipChange.Replace) {
            watched.put(requestId, Injected.REPLACED);
        } else if (change instanceof MembershipChange.AddLearner join
                && join.address().isPresent()) {
            watched.put(requestId, Injected.JOINED);
        }
    }

    /** A change this reconfigurer asked for was answered: a committed join or replacement is counted. */
    void completed(Output.ReconfigurationCompleted done) {
        Injected kind = watched.remove(done.requestId());
        if (kind != null && done.outcome() instanceof Output.Committed) {
            sim.count(kind);
        }
    }

    /** A random membership edit about a random member (it may be refused: that path is exercised too). */
    private MembershipChange edit() {
        SimNode node = nodes.get(random.nextInt(nodes.size()));
        MemberId member = node.id();
        return switch (random.nextInt(4)) {
            case 0 ->
                leaderKnows(node)
                        ? new MembershipChange.AddVoter(member, 1 + random.nextInt(3))
                        : new MembershipChange.AddLearner(member);
            case 1 ->
                random.nextBoolean()
                        ? new MembershipChange.AddLearner(member)
                        : new MembershipChange.AddLearner(member, Optional.of(addressOf(member))); // a join (§8)
            case 2 -> new MembershipChange.Remove(member);
            default -> new MembershipChange.MakeTop(member);
        };
    }

    /** Where a simulated member says it listens: what a join records (PROTOCOL.md §8); the network ignores it. */
    static MemberAddress addressOf(MemberId member) {
        return MemberAddress.of(new PeerAddress(member.value() + ".sim", 7000));
    }

    /**
     * Whether the leader has heard from {@code node}'s current disk, so that adding it as a voter records the right
     * incarnation. A voter added at a life it no longer has never counts, and a change whose new configuration needs
     * it could never commit: an application adds such a member as a learner first (docs/guide.md).
     */
    private boolean leaderKnows(SimNode node) {
        SimNode leader = leader();
        return node.disk().incarnation() == 0
                || (leader != null
                        && leader.core().orElseThrow().incarnationOf(node.id())
                                == node.disk().incarnation());
    }

    private SimNode leader() {
        for (SimNode node : nodes) {
            if (node.alive() && node.core().orElseThrow().role() == Role.LEADER) {
                return node;
            }
        }
        return null;
    }

    /**
     * An edit that leads from {@code current} to a random neighbour, or null if the draw is impossible or changes
     * nothing here. Voters that dynamic voting suspended keep their nominal weight and rank unless the edit is about
     * them.
     */
    private MembershipChange change(Configuration current) {
        List<Voter> nominal = current.nominal();
        List<MemberId> nonVoters = new ArrayList<>(); // learners (suspended voters excepted) and outsiders
        List<MemberId> outsiders = new ArrayList<>();
        for (SimNode node : nodes) {
            boolean inNominal = nominal.stream().anyMatch(v -> v.id().equals(node.id()));
            if (!inNominal && leaderKnows(node)) {
                nonVoters.add(node.id());
            }
            if (!current.members().contains(node.id())) {
                outsiders.add(node.id());
            }
        }
        MemberId anyNominal = nominal.get(random.nextInt(nominal.size())).id();
        MembershipChange change;
        try {
            switch (random.nextInt(7)) {
                case 0: // remove a voter, suspended or not (it leaves the group)
                    change = new MembershipChange.Remove(anyNominal);
                    break;
                case 1: // promote an outsider or learner to voter (lowest rank; case 4 moves voters up)
                    if (nonVoters.isEmpty()) {
                        return null;
                    }
                    change = new MembershipChange.AddVoter(
                            nonVoters.get(random.nextInt(nonVoters.size())), 1 + random.nextInt(3));
                    break;
                case 2: // add or remove a learner
                    List<MemberId> plainLearners = new ArrayList<>(current.learners());
                    plainLearners.removeIf(id -> nominal.stream().anyMatch(v -> v.id().equals(id)));
                    if (!plainLearners.isEmpty() && random.nextBoolean()) {
                        change = new MembershipChange.Remove(plainLearners.get(0));
                    } else if (!outsiders.isEmpty()) {
                        change = new MembershipChange.AddLearner(outsiders.get(random.nextInt(outsiders.size())));
                    } else {
                        return null;
                    }
                    break;
                case 3: // re-weight a voter
                    change = new MembershipChange.AddVoter(anyNominal, 1 + random.nextInt(3));
                    break;
                case 5: // swap a voter for a non-voter in one joint change (replacing a machine)
                    if (nonVoters.isEmpty()) {
                        return null;
                    }
                    change = new MembershipChange.Together(List.of(
                            new MembershipChange.AddVoter(
                                    nonVoters.get(random.nextInt(nonVoters.size())), 1 + random.nextInt(3)),
                            new MembershipChange.Remove(anyNominal)));
                    break;
                case 6: // replace a voter by a learner at its rank and weight (PROTOCOL.md §8)
                    List<MemberId> learners = new ArrayList<>(current.learners());
                    learners.removeIf(id -> nominal.stream().anyMatch(v -> v.id().equals(id)));
                    learners.removeIf(id -> !nonVoters.contains(id));
                    if (learners.isEmpty()) {
                        return null;
                    }
                    change = new MembershipChange.Replace(learners.get(random.nextInt(learners.size())), anyNominal);
                    break;
                default: // move a voter to the top (it breaks ties from now on)
                    change = new MembershipChange.MakeTop(anyNominal);
            }
            if (change.applyTo(current).equals(current)) {
                return null;
            }
        } catch (IllegalArgumentException impossible) {
            return null; // e.g. removing the last voter
        }
        return change;
    }
}
