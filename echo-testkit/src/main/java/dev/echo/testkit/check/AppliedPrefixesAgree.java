package dev.echo.testkit.check;

import dev.echo.testkit.sim.RecordingStateMachine;
import java.util.HashMap;
import java.util.Map;

/**
 * PROTOCOL.md §11.7: every member applies a prefix of the one committed log, and state digests agree at equal
 * applied indexes.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class AppliedPrefixesAgree implements Invariant {
    private final Map<Long, Long> digestAtIndex = new HashMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        long applied = step.after().lastApplied();
        CommittedLog committed = cluster.committed();
        if (applied > step.before().lastApplied()) {
            if (applied > committed.lastIndex()
                    || cluster.mirror(step.node().index()).prefixHash(applied) != committed.prefixHash(applied)) {
                throw new InvariantViolation(
                        "§11.7 applied prefixes agree",
                        step.node().id() + " applied up to " + applied + " entries that are not the committed log");
            }
        }
        for (RecordingStateMachine.Application application : step.applications()) {
            Long digest = digestAtIndex.putIfAbsent(application.index(), application.digest());
            if (digest != null && digest != application.digest()) {
                throw new InvariantViolation(
                        "§11.7 state digests agree",
                        step.node().id() + " has a different state after applying index " + application.index());
            }
        }
    }
}
