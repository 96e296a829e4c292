package dev.echo.testkit.check;

import dev.echo.core.protocol.Role;

/**
 * PROTOCOL.md §11.6: committed entries never change, and every leader holds every entry committed before it was
 * elected. The ghost log itself is extended by the {@link InvariantChecker}; this rule compares against it.
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class CommittedEntriesSurvive implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        LogMirror mirror = cluster.mirror(step.node().index());
        CommittedLog committed = cluster.committed();
        if (step.after().commitIndex() > step.before().commitIndex()) {
            long overlap = Math.min(step.after().commitIndex(), committed.lastIndex());
            if (mirror.prefixHash(overlap) != committed.prefixHash(overlap)) {
                throw new InvariantViolation(
                        "§11.6 committed entries never change",
                        step.node().id() + " committed up to " + step.after().commitIndex()
                                + " with a log that differs from the committed log at or before " + overlap);
            }
        }
        boolean newLeader = step.after().role() == Role.LEADER
                && (step.before().role() != Role.LEADER
                        || step.before().term() != step.after().term());
        if (newLeader) {
            long committedLast = committed.lastIndex();
            if (mirror.lastIndex() < committedLast
                    || mirror.prefixHash(committedLast) != committed.prefixHash(committedLast)) {
                throw new InvariantViolation(
                        "§11.6 leader completeness",
                        step.node().id() + " became leader of term "
                                + step.after().term() + " without every entry committed up to " + committedLast);
            }
        }
    }
}
