package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.ReplicationLog;
import dev.echo.core.protocol.Voter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * PROTOCOL.md §11.9: consecutive configurations in any log are adjacent (every quorum of one intersects every quorum
 * of the other, checked by brute force over all subsets of their voters), or the step passes through a joint
 * configuration: C → J(C, X) → X, or C → J(C, X) → C when the change is rolled back.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class ConfigurationsAdjacent implements Invariant {
    /** Verdicts per pair, so each distinct pair is brute-forced once. */
    private final Map<List<QuorumSystem>, Boolean> verdicts = new HashMap<>();
    /** Per member, the configuration index last checked, so unchanged logs cost nothing. */
    private final Map<Integer, Long> checkedUpTo = new HashMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        ReplicationLog log = step.node().core().orElseThrow().log();
        long latest = log.configurationIndex();
        Long checked = checkedUpTo.get(step.node().index());
        if (checked != null && checked == latest) {
            return;
        }
        checkedUpTo.put(step.node().index(), latest);
        QuorumSystem previous = log.bootstrapConfiguration();
        for (Map.Entry<Long, QuorumSystem> entry : log.configurationEntries().entrySet()) {
            QuorumSystem next = entry.getValue();
            if (!allowed(previous, next)) {
                throw new InvariantViolation(
                        "§11.9 consecutive configurations are adjacent or pass through a joint configuration",
                        step.node().id() + "'s log goes from " + previous + " to " + next + " at " + entry.getKey());
            }
            previous = next;
        }
    }

    @Override
    public void afterRestart(int node, ClusterView cluster) {
        checkedUpTo.remove(node);
    }

    private static String life(Voter voter) {
        return life(voter.id(), voter.incarnation());
    }

    private static String life(MemberId id, long incarnation) {
        return id.value() + "@" + incarnation;
    }

    private boolean allowed(QuorumSystem from, QuorumSystem to) {
        if (to instanceof JointConfiguration joint && joint.old().equals(from)) {
            return true;
        }
        if (from instanceof JointConfiguration joint
                && (joint.next().equals(to) || joint.old().equals(to))) {
            return true; // C_new, or the rollback to old: every quorum of J is one of old
        }
        if (from instanceof Configuration a && to instanceof Configuration b) {
            return verdicts.computeIfAbsent(List.of(a, b), pair -> adjacent(a, b));
        }
        return false;
    }

    /**
     * Whether every quorum of {@code a} intersects every quorum of {@code b}. A voter's lives are distinct voters
     * (PROTOCOL.md §5): the same member recorded at two incarnations does not make two quorums intersect, since its new
     * life has lost what the old one acknowledged and voted.
     */
    static boolean adjacent(Configuration a, Configuration b) {
        TreeSet<String> union = new TreeSet<>();
        a.voters().stream().map(ConfigurationsAdjacent::life).forEach(union::add);
        b.voters().stream().map(ConfigurationsAdjacent::life).forEach(union::add);
        List<String> lives = new ArrayList<>(union);
        int subsets = 1 << lives.size();
        List<Integer> quorumsOfA = new ArrayList<>();
        List<Integer> quorumsOfB = new ArrayList<>();
        for (int mask = 0; mask < subsets; mask++) {
            int m = mask;
            QuorumSystem.VoterTest inMask = (id, incarnation) -> (m & (1 << lives.indexOf(life(id, incarnation)))) != 0;
            if (a.isQuorumOf(inMask)) {
                quorumsOfA.add(mask);
            }
            if (b.isQuorumOf(inMask)) {
                quorumsOfB.add(mask);
            }
        }
        for (int qa : quorumsOfA) {
            for (int qb : quorumsOfB) {
                if ((qa & qb) == 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
