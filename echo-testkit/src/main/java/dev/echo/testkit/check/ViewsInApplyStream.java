package dev.echo.testkit.check;

import dev.echo.core.View;
import dev.echo.core.protocol.Views;
import dev.echo.testkit.sim.RecordingStateMachine;

/**
 * PROTOCOL.md §13: the state machine hears each committed view at its place in the apply stream, the same view at
 * the same index on every member: the configuration in force at that index of the ghost log of commits. (That each
 * view comes between the commands around it is asserted by {@link RecordingStateMachine} as it is called.)
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class ViewsInApplyStream implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        CommittedLog committed = cluster.committed();
        for (RecordingStateMachine.ViewHeard heard : step.views()) {
            if (heard.index() > committed.lastIndex()) {
                throw new InvariantViolation(
                        "§13 views come from committed configurations",
                        step.node().id() + " heard a view at " + heard.index() + ", past every commit");
            }
            // The epoch is the configuration entry's index, also for a view heard on restoring a snapshot.
            View expected = Views.of(
                    committed.configurationAt(heard.index(), cluster.configuration()),
                    committed.configurationIndexAt(heard.index()));
            if (!expected.equals(heard.view())) {
                throw new InvariantViolation(
                        "§13 every member hears the same view at the same index",
                        step.node().id() + " heard " + heard.view() + " at " + heard.index() + ", not " + expected);
            }
        }
    }
}
