package dev.echo.testkit.check;

import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.testkit.sim.RecordingStateMachine;
import dev.echo.testkit.sim.SimNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * PROTOCOL.md §11.13: a snapshot at index i holds the ghost log applied up to i (the same state digest as every
 * replica had after applying i), the term of the committed entry at i, and the configuration in force at i. Checked
 * when a member takes a snapshot, when one installs a snapshot from the leader, and when one restarts from its own.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class SnapshotsMatchCommittedState implements Invariant {
    /** Index of every applied command → the state digest right after it (§11.7 makes it the same everywhere). */
    private final TreeMap<Long, Long> digestAfter = new TreeMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        for (RecordingStateMachine.Application application : step.applications()) {
            digestAfter.putIfAbsent(application.index(), application.digest());
        }
        for (Output output : step.outputs()) {
            if (output instanceof Output.TakeSnapshot take) {
                if (take.meta().index() != step.after().lastApplied()) {
                    throw new InvariantViolation(
                            "§11.13 a snapshot holds the state at its index",
                            step.node().id() + " snapshots at " + take.meta().index() + " having applied "
                                    + step.after().lastApplied());
                }
                check(step.node(), take.meta(), cluster, "took");
            }
        }
        if (step.input() instanceof Input.SnapshotInstalled installed
                && step.after().lastApplied() == installed.meta().index()) {
            check(step.node(), installed.meta(), cluster, "installed");
        }
    }

    @Override
    public void afterRestart(int node, ClusterView cluster) {
        SimNode member = cluster.nodes().get(node);
        var log = member.core().orElseThrow().log();
        if (log.snapshotIndex() > 0) {
            check(member, log.base(), cluster, "restarted from");
        }
    }

    private void check(SimNode node, SnapshotMeta meta, ClusterView cluster, String how) {
        CommittedLog committed = cluster.committed();
        long index = meta.index();
        if (index > committed.lastIndex()) {
            fail(node, how, meta, "beyond every commit seen (" + committed.lastIndex() + ")");
        }
        if (committed.entry(index).term() != meta.term()) {
            fail(
                    node,
                    how,
                    meta,
                    "but the committed entry there has term "
                            + committed.entry(index).term());
        }
        Map.Entry<Long, Long> last = digestAfter.floorEntry(index);
        long expected = last == null ? 0 : last.getValue();
        if (node.stateMachine().digest() != expected) {
            fail(node, how, meta, "with a state that differs from the committed log applied to " + index);
        }
        long configurationIndex = committed.configurationIndexAt(index);
        QuorumSystem inForce = committed.configurationAt(index, cluster.configuration());
        if (!inForce.equals(meta.configuration())) {
            fail(node, how, meta, "with configuration " + meta.configuration() + ", not " + inForce);
        }
        if (meta.configurationIndex() != configurationIndex) { // the epoch a restored member reports (§13)
            fail(
                    node,
                    how,
                    meta,
                    "naming its configuration's entry " + meta.configurationIndex() + ", not " + configurationIndex);
        }
    }

    private static void fail(SimNode node, String how, SnapshotMeta meta, String why) {
        throw new InvariantViolation(
                "§11.13 a snapshot equals the committed log applied to its index",
                node.id() + " " + how + " a snapshot at " + meta.index() + "/" + meta.term() + " " + why);
    }
}
