package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Voter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Asks the current leader for random configuration changes while faults are injected (PROTOCOL.md §3): remove or
 * add a voter, add or remove a learner, re-weight a voter, move a voter to the top. Stops when the faults heal, so
 * that the liveness check judges a settled group. Not thread-safe; runs on the simulator's thread.
 */
final class Reconfigurer {
    private final Simulation sim;
    private final SplittableRandom random;
    private final List<SimNode> nodes;
    private long stopAtMicros;
    private long nextRequestId;

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
        SimNode leader = leader();
        if (leader != null) {
            QuorumSystem current = leader.core().orElseThrow().configuration();
            if (current instanceof Configuration configuration) {
                Configuration target = change(configuration);
                if (target != null) {
                    sim.input(leader, new Input.ChangeConfiguration(++nextRequestId, target));
                }
            }
        }
        sim.schedule(sim.now() + random.nextLong(150_000, 700_000), this::propose);
    }

    private SimNode leader() {
        for (SimNode node : nodes) {
            if (node.alive() && node.core().orElseThrow().role() == GroupProtocol.Role.LEADER) {
                return node;
            }
        }
        return null;
    }

    /** A random neighbour of {@code current}, or null if the draw is impossible here. */
    private Configuration change(Configuration current) {
        List<Voter> voters = new ArrayList<>(current.voters());
        TreeSet<MemberId> learners = new TreeSet<>(current.learners());
        List<MemberId> outsiders = new ArrayList<>();
        for (SimNode node : nodes) {
            if (!current.isVoter(node.id())) {
                outsiders.add(node.id());
            }
        }
        switch (random.nextInt(5)) {
            case 0: // remove a voter (it leaves the group)
                if (voters.size() < 2) {
                    return null;
                }
                voters.remove(random.nextInt(voters.size()));
                break;
            case 1: // promote an outsider or learner to voter, at a random rank
                if (outsiders.isEmpty()) {
                    return null;
                }
                MemberId added = outsiders.get(random.nextInt(outsiders.size()));
                learners.remove(added);
                voters.add(random.nextInt(voters.size() + 1), new Voter(added, 1 + random.nextInt(3)));
                break;
            case 2: // add or remove a learner
                if (!learners.isEmpty() && random.nextBoolean()) {
                    learners.remove(learners.first());
                } else if (!outsiders.isEmpty()) {
                    learners.add(outsiders.get(random.nextInt(outsiders.size())));
                } else {
                    return null;
                }
                break;
            case 3: // re-weight a voter
                int which = random.nextInt(voters.size());
                voters.set(which, new Voter(voters.get(which).id(), 1 + random.nextInt(3)));
                break;
            default: // move a voter to the top (it breaks ties from now on)
                int moved = random.nextInt(voters.size());
                voters.add(0, voters.remove(moved));
        }
        Configuration target = new Configuration(voters, learners);
        return target.equals(current) ? null : target;
    }
}
