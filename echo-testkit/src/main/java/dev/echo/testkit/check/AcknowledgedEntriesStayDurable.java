package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Role;
import dev.echo.testkit.sim.SimNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * PROTOCOL.md §11.11: after crashes that drop everything not yet fsynced, every committed entry is still durable on a
 * quorum of the configuration that committed it and on at least {@code minCopies} members. {@link
 * CommitNeedsDurableQuorum} checks the moment of commit; this one checks that nothing undoes it later. A restart is
 * the only moment a member loses data, so each restart re-counts the holders of every committed entry (an entry
 * compacted into a durable snapshot counts as held).
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class AcknowledgedEntriesStayDurable implements Invariant {
    /** First index of each run of entries one leader committed under one configuration → that configuration. */
    private final TreeMap<Long, QuorumSystem> committedUnder = new TreeMap<>();

    private long recordedThrough;

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        long commit = step.after().commitIndex();
        if (step.after().role() != Role.LEADER || commit <= recordedThrough) {
            return;
        }
        // The configuration the leader must count with: the latest in its log (PROTOCOL.md §2), as in §11.12.
        QuorumSystem configuration = step.node().core().orElseThrow().log().configuration();
        Map.Entry<Long, QuorumSystem> last = committedUnder.lastEntry();
        if (last == null || last.getValue() != configuration) {
            committedUnder.put(recordedThrough + 1, configuration);
        }
        recordedThrough = commit;
    }

    @Override
    public void afterRestart(int node, ClusterView cluster) {
        for (Map.Entry<Long, QuorumSystem> run : committedUnder.entrySet()) {
            Long next = committedUnder.higherKey(run.getKey());
            long to = next == null ? recordedThrough : next - 1;
            for (long index = run.getKey(); index <= to; index++) {
                checkHeld(index, run.getValue(), cluster, node);
            }
        }
    }

    private static void checkHeld(long index, QuorumSystem configuration, ClusterView cluster, int restarted) {
        long term = cluster.committed().entry(index).term();
        TreeSet<MemberId> holders = new TreeSet<>();
        for (SimNode member : cluster.nodes()) {
            if (member.disk().holds(index, term)) {
                holders.add(member.id());
            }
        }
        if (HolderQuorum.othersFormAQuorum(configuration, holders, cluster)
                || HolderQuorum.tooFewCopies(holders, cluster)) {
            throw new InvariantViolation(
                    "§11.11 acknowledged entries stay durable",
                    "after " + cluster.nodes().get(restarted).id() + " restarted, committed entry " + index + " (term "
                            + term + ") is durable only on " + holders + ", not a quorum of " + configuration.members()
                            + " (or fewer than minCopies)");
        }
    }
}
