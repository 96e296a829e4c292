package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Role;
import dev.echo.testkit.sim.SimNode;
import java.util.TreeSet;

/**
 * PROTOCOL.md §11.12: when a leader commits an entry, the entry is on the disks (durably) of a quorum of the
 * configuration in force at the leader (joint: of both halves) and of at least {@code minCopies} members.
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class CommitNeedsDurableQuorum implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        if (step.after().role() != Role.LEADER
                || step.after().commitIndex() <= step.before().commitIndex()) {
            return;
        }
        long index = step.after().commitIndex();
        long term = step.node().core().orElseThrow().log().termAt(index);
        TreeSet<MemberId> holders = new TreeSet<>();
        for (SimNode node : cluster.nodes()) {
            if (node.disk().holds(index, term)) {
                holders.add(node.id());
            }
        }
        // The configuration the leader must count with: the latest in its log (PROTOCOL.md §2), read from the log
        // rather than asked of the member, whose own notion is what is under test.
        QuorumSystem configuration = step.node().core().orElseThrow().log().configuration();
        if (HolderQuorum.othersFormAQuorum(configuration, holders, cluster)
                || HolderQuorum.tooFewCopies(holders, cluster)) {
            throw new InvariantViolation(
                    "§11.12 commit needs a durable quorum",
                    step.node().id() + " committed " + index + " (term " + term + ") durable only on " + holders);
        }
    }
}
