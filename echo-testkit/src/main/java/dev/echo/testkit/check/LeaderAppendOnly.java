package dev.echo.testkit.check;

import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.Role;

/**
 * PROTOCOL.md §11.5: a leader never overwrites or removes its own entries during its term.
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class LeaderAppendOnly implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        boolean ledThroughout = step.before().role() == Role.LEADER
                && step.after().role() == Role.LEADER
                && step.before().term() == step.after().term();
        if (!ledThroughout) {
            return;
        }
        for (Output output : step.outputs()) {
            if (output instanceof Output.Persist persist
                    && persist.firstIndex() <= step.before().lastIndex()) {
                throw new InvariantViolation(
                        "§11.5 leader append-only",
                        step.node().id() + " rewrote its log from " + persist.firstIndex() + " (last "
                                + step.before().lastIndex() + ") in term "
                                + step.after().term());
            }
        }
    }
}
