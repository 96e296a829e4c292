package dev.echo.testkit.check;

/**
 * PROTOCOL.md §11.8: applied ≤ commit ≤ last index, and the commit index never decreases within a lifetime.
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class IndexOrder implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        MemberState after = step.after();
        if (after.lastApplied() > after.commitIndex() || after.commitIndex() > after.lastIndex()) {
            throw new InvariantViolation(
                    "§11.8 applied <= commit <= last",
                    step.node().id() + " has applied " + after.lastApplied() + ", commit " + after.commitIndex()
                            + ", last " + after.lastIndex());
        }
        if (after.commitIndex() < step.before().commitIndex()) {
            throw new InvariantViolation(
                    "§11.8 commit never decreases",
                    step.node().id() + " commit fell from " + step.before().commitIndex() + " to "
                            + after.commitIndex());
        }
    }
}
