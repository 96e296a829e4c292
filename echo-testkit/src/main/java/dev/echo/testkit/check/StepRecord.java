package dev.echo.testkit.check;

import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import dev.echo.testkit.sim.RecordingStateMachine;
import dev.echo.testkit.sim.SimNode;
import java.util.List;

/**
 * One step of one member, as the checkers see it.
 *
 * <p>A value the simulation builds once per step and never changes afterwards; read on the simulation's thread.
 *
 * @param timeMicros simulated time
 * @param node the member stepped
 * @param input what it was given
 * @param outputs what it produced
 * @param before its state before the step
 * @param after its state after the step
 * @param applications state machine calls made during the step
 * @param views views the state machine heard since the member's previous step (PROTOCOL.md §13)
 */
public record StepRecord(
        long timeMicros,
        SimNode node,
        Input input,
        List<Output> outputs,
        MemberState before,
        MemberState after,
        List<RecordingStateMachine.Application> applications,
        List<RecordingStateMachine.ViewHeard> views) {}
