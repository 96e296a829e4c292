package dev.echo.testkit.check;

import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.ReplicationLog;
import dev.echo.core.protocol.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PROTOCOL.md §11.10: a leader's log holds at most one uncommitted configuration entry (a joint change followed by
 * its rollback counts as one), and none of its own term until the entry opening its term (the no-op) is committed.
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class OneConfigurationChangeAtATime implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        GroupProtocol core = step.node().core().orElseThrow();
        if (core.role() != Role.LEADER) {
            return;
        }
        ReplicationLog log = core.log();
        // Committed means in the ghost log, which a leader holds; its own commit index restarts at 0 after a crash.
        long committed = Math.min(cluster.committed().lastIndex(), log.lastIndex());
        long commit = Math.max(core.commitIndex(), committed);
        List<QuorumSystem> uncommitted =
                new ArrayList<>(log.configurationEntries().tailMap(commit + 1).values());
        if (uncommitted.size() > 1 && !rolledBack(uncommitted)) {
            throw new InvariantViolation(
                    "§11.10 at most one uncommitted configuration entry",
                    step.node().id() + " holds " + uncommitted.size()
                            + " uncommitted configuration entries above commit " + commit + ": " + uncommitted);
        }
        for (Map.Entry<Long, QuorumSystem> entry :
                log.configurationEntries().tailMap(commit + 1).entrySet()) {
            long index = entry.getKey();
            if (log.termAt(index) == core.term()) {
                long termStart = log.firstIndexOfTerm(core.term(), index);
                boolean termBeganInSnapshot = termStart == log.firstIndex() && log.snapshotTerm() == core.term();
                if (core.commitIndex() < termStart && !termBeganInSnapshot) {
                    throw new InvariantViolation(
                            "§11.10 no configuration change before the leader's no-op commits",
                            step.node().id() + " appended a configuration at " + index + " in term " + core.term()
                                    + " with commit " + core.commitIndex() + " below its term's first entry "
                                    + termStart);
                }
            }
        }
    }

    /**
     * A joint change and its rollback are one change, cancelled (PROTOCOL.md §3, rollback): J(old, new) followed by
     * old, nothing after.
     */
    private static boolean rolledBack(List<QuorumSystem> uncommitted) {
        return uncommitted.size() == 2
                && uncommitted.get(0) instanceof JointConfiguration joint
                && joint.old().equals(uncommitted.get(1));
    }
}
