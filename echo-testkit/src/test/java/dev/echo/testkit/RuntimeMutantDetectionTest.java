package dev.echo.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.testkit.sim.NodeSimulation;
import dev.echo.testkit.sim.RuntimeMutation;
import dev.echo.testkit.sim.SimulationOptions;
import dev.echo.testkit.sim.SimulationResult;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each deliberate bug in the node's runtime is caught by the whole-node simulator within a bounded number of seeds,
 * as the rule it breaks: proof that those checks can fail (docs/testing.md, "Mutants beyond the core").
 */
class RuntimeMutantDetectionTest {
    private static final int MAX_SEEDS = 50;

    @ParameterizedTest
    @EnumSource(RuntimeMutation.class)
    void theWholeNodeSimulatorCatchesTheBug(RuntimeMutation mutation) {
        String expected =
                switch (mutation) {
                    // A write dropped from the history as "not applied" commits anyway; a read then sees its value.
                    case EXPIRED_AS_NOT_APPLIED -> "linearizability";
                    // A read from a lagging member answers a value overwritten before the read began.
                    case STALE_LINEARIZABLE_READS -> "linearizability";
                    // The late command's two copies both commit: a read sees the first value come back.
                    case RESEND_LATE_COMMANDS -> "linearizability";
                };
        for (long seed = 1; seed <= MAX_SEEDS; seed++) {
            SimulationResult result = NodeSimulation.run(SimulationOptions.defaults(seed), Set.of(mutation), null);
            if (!result.passed()) {
                String failure = result.failure().orElseThrow();
                assertTrue(
                        failure.contains(expected),
                        mutation + " caught as the wrong rule at seed " + seed + ": " + failure);
                return;
            }
        }
        throw new AssertionError(mutation + " survived " + MAX_SEEDS + " seeds: the checks cannot see it");
    }
}
