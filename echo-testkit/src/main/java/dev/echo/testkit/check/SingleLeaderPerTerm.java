package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Role;
import java.util.TreeMap;

/**
 * PROTOCOL.md §11.1: at most one leader per term, over the whole run (restarts included).
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class SingleLeaderPerTerm implements Invariant {
    private final TreeMap<Long, MemberId> leaders = new TreeMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        if (step.after().role() != Role.LEADER) {
            return;
        }
        MemberId existing = leaders.putIfAbsent(step.after().term(), step.node().id());
        if (existing != null && !existing.equals(step.node().id())) {
            throw new InvariantViolation(
                    "§11.1 one leader per term",
                    step.node().id() + " and " + existing + " both led term "
                            + step.after().term());
        }
    }
}
