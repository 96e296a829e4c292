package dev.echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.testkit.sim.Simulation;
import dev.echo.testkit.sim.SimulationOptions;
import dev.echo.testkit.sim.SimulationResult;
import org.junit.jupiter.api.Test;

/** One seed fixes the whole run: replaying it gives the same trace, step for step. */
class SimulationDeterminismTest {
    @Test
    void sameSeedSameTrace() {
        SimulationResult first = Simulation.run(SimulationOptions.defaults(12345), null);
        SimulationResult again = Simulation.run(SimulationOptions.defaults(12345), null);
        assertEquals(first.traceHash(), again.traceHash());
        assertEquals(first.steps(), again.steps());
        assertEquals(first.history().operations(), again.history().operations());
        assertTrue(first.steps() > 10_000, "a run should do real work, did " + first.steps() + " steps");
    }

    @Test
    void differentSeedsDifferentTraces() {
        assertNotEquals(
                Simulation.run(SimulationOptions.defaults(1), null).traceHash(),
                Simulation.run(SimulationOptions.defaults(2), null).traceHash());
    }
}
