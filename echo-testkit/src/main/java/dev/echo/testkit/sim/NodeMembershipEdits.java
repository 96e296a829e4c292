package dev.echo.testkit.sim;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.View;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The whole-node simulator's membership edits (fault kind {@code reconfigure}): every 0.5-2 s a running member asks,
 * through the public API, to re-weight, re-rank, demote or promote a member, a brand-new machine joins from seeds, or
 * a joined machine replaces a voter (PROTOCOL.md §8). It also tells the fault plan whether membership is quiet. Not
 * thread-safe: the simulation's one thread only.
 */
final class NodeMembershipEdits {
    /** At most this many machines in a run: the original members and the brand-new ones that join from seeds. */
    static final int MAX_MACHINES = 7;

    private final NodeSimulation sim;
    private final SimulationOptions options;
    private final SplittableRandom random;
    /**
     * Draws each new machine's seeds, apart from {@link #random} so that the rest of a run draws as before: which
     * original members, in which order, a new machine is told of.
     */
    private final SplittableRandom seedDraws;
    /** How many machines the group started with: the bootstrap voters, and the seeds a new machine asks. */
    private final int originals;
    /** Membership changes asked through the API and not yet answered, and when the last one was answered. */
    private int changesInFlight;

    private long lastChangeSettledAt;

    NodeMembershipEdits(NodeSimulation sim, SimulationOptions options, SplittableRandom random, int originals) {
        this.sim = sim;
        this.options = options;
        this.random = random;
        this.seedDraws = new SplittableRandom(options.seed() ^ 0x5EED5L);
        this.originals = originals;
    }

    /** Whether no change asked through the API is in flight, and none was answered in the last {@code micros}. */
    boolean quietFor(long micros) {
        return changesInFlight == 0 && sim.now() - lastChangeSettledAt > micros;
    }

    /**
     * A random member asks, through the public API, to re-weight a member, move it to the top rank, demote it to a
     * learner or promote it back: every edit keeps the same machines in the group, so they must all converge. The
     * leader refuses what it must (the last voter, a change in flight); the future's outcome is not checked here.
     */
    void changeMembership() {
        if (sim.now() >= options.faultPhaseMillis() * 1000) {
            return;
        }
        List<NodeMember> up = sim.machines().stream().filter(NodeMember::up).toList();
        // As in the protocol simulator, edits wait while a damaged member is uncounted: re-weighting it to a majority
        // then would leave the group without a quorum for good (liveness only).
        if (!up.isEmpty() && sim.machines().stream().noneMatch(m -> m.damaged)) {
            NodeMember asker = up.get(random.nextInt(up.size()));
            List<NodeMember> active = sim.active();
            MemberId about = active.get(random.nextInt(active.size())).id;
            int kind = random.nextInt(6);
            if (kind >= 4) {
                if (kind == 4) {
                    joinFromSeeds();
                } else {
                    replaceByAJoinedMachine(asker);
                }
                sim.schedule(sim.now() + random.nextLong(500_000, 2_000_000), this::changeMembership);
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
                lastChangeSettledAt = sim.now();
            });
            sim.count(Injected.MEMBERSHIP_CHANGE);
            sim.log(asker.id + " asks "
                    + (kind == 0 ? "re-weight " : kind == 1 ? "make top " : kind == 2 ? "demote " : "promote ")
                    + about);
            sim.drain(asker);
        }
        sim.schedule(sim.now() + random.nextLong(500_000, 2_000_000), this::changeMembership);
    }

    /**
     * A brand-new machine (new id, empty disk) starts and asks its seeds (some original members in a drawn order,
     * given as its initial voters) to add it as a learner at its address (PROTOCOL.md §8); its runtime asks again with
     * back-off until the leader has. One at a time, and at most {@link #MAX_MACHINES} machines in a run.
     */
    private void joinFromSeeds() {
        boolean oneStillJoining = sim.active().stream().anyMatch(m -> m.joinsAt.isPresent() && !inAnyView(m.id));
        // As an operator would: the seeds must include a voter that runs, which passes the request on to its leader;
        // a machine given only learners or dead machines as seeds waits for good.
        View newest = newestView(sim.active());
        List<NodeMember> voting = sim.machines().subList(0, originals).stream()
                .filter(seed -> seed.up() && !seed.retired && newest.isVoter(seed.id))
                .toList();
        if (sim.machines().size() >= MAX_MACHINES || oneStillJoining || voting.isEmpty()) {
            return;
        }
        int index = sim.machines().size();
        NodeMember fresh = new NodeMember(
                index,
                Optional.of(
                        MemberAddress.of(new PeerAddress("10.0.0." + (index + 1), 7000), new byte[] {(byte) index})));
        List<NodeMember> seeds = new ArrayList<>(sim.machines().subList(0, originals));
        for (int i = seeds.size() - 1; i > 0; i--) {
            Collections.swap(seeds, i, seedDraws.nextInt(i + 1));
        }
        seeds = new ArrayList<>(seeds.subList(0, 1 + seedDraws.nextInt(seeds.size())));
        if (seeds.stream().noneMatch(voting::contains)) {
            seeds.set(0, voting.get(seedDraws.nextInt(voting.size())));
        }
        fresh.seeds = List.copyOf(seeds);
        sim.addMachine(fresh);
        sim.log(fresh.id + " JOINS at " + fresh.joinsAt.get().endpoint() + " from the seeds "
                + fresh.seeds.stream().map(seed -> seed.id).toList());
        sim.start(fresh);
    }

    /**
     * {@code asker} asks to replace a voter by a machine that joined (PROTOCOL.md §8): it waits for the new machine to
     * catch up, then swaps it in at the voter's rank and weight in one joint change. The replaced machine is retired
     * once the change commits, as its operator would: it never runs again, and checks and faults leave it out.
     */
    private void replaceByAJoinedMachine(NodeMember asker) {
        List<NodeMember> joined = sim.active().stream()
                .filter(m -> m.joinsAt.isPresent()
                        && m.up()
                        && asker.group.view().learners().contains(m.id))
                .toList();
        List<View.Member> voters = asker.group.view().voters();
        if (joined.isEmpty() || voters.size() < 2) {
            return;
        }
        NodeMember fresh = joined.get(random.nextInt(joined.size()));
        MemberId old = voters.get(random.nextInt(voters.size())).id();
        NodeMember replaced = sim.machines().get(Integer.parseInt(old.value().substring(1)) - 1);
        changesInFlight++;
        replaced.replacementAsked = true;
        asker.group.replace(old, fresh.id, fresh.joinsAt.get()).whenComplete((view, error) -> {
            changesInFlight--;
            lastChangeSettledAt = sim.now();
            if (error == null && !view.contains(old)) {
                sim.count(Injected.REPLACED);
                replaced.retired = true;
                // Not from inside the node that completed the future: the replaced one may be the asker itself.
                sim.schedule(sim.now(), () -> {
                    sim.log(fresh.id + " REPLACED " + old + ": retired");
                    sim.crash(replaced);
                });
            }
        });
        sim.log(asker.id + " asks replace " + old + " by " + fresh.id);
        sim.drain(asker);
    }

    /** The view with the highest epoch among {@code machines} that run. */
    static View newestView(List<NodeMember> machines) {
        View newest = null;
        for (NodeMember member : machines) {
            if (member.up() && (newest == null || member.group.view().epoch() > newest.epoch())) {
                newest = member.group.view();
            }
        }
        return newest;
    }

    /** Whether any running member's view names {@code id}. */
    private boolean inAnyView(MemberId id) {
        return sim.machines().stream().anyMatch(m -> m.up() && m.group.view().contains(id));
    }
}
