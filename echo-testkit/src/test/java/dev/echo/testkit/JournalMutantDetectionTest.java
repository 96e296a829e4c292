package dev.echo.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.testkit.sim.JournalMutation;
import dev.echo.testkit.sim.NodeSimulation;
import dev.echo.testkit.sim.SimulationOptions;
import dev.echo.testkit.sim.SimulationResult;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each deliberate bug in the file journal is caught by the whole-node simulator, which runs the real journal over a
 * simulated disk, within a bounded number of seeds and as a rule it breaks: proof that a crash there really loses
 * unforced data and that recovery's checks matter (docs/testing.md, "Mutants beyond the core").
 */
class JournalMutantDetectionTest {
    /**
     * A torn record shows only when a crash tears a write that recovery then reads back: about a quarter of the runs
     * tear one, and few of those tears land on an entry. Since read rounds are batched (fewer messages, so every
     * later draw moved), seed 35 is the first to catch KEEP_TORN_RECORD; the bound leaves room above it.
     */
    private static final int MAX_SEEDS = 50;

    @ParameterizedTest
    @EnumSource(JournalMutation.class)
    void theWholeNodeSimulatorCatchesTheBug(JournalMutation mutation) {
        List<String> expected =
                switch (mutation) {
                    // Unforced votes and entries vanish in a crash. What shows first: a member speaking again in a
                    // term below one it spoke in (§11.3), two leaders of a term (§11.1), a lost write, or a leader
                    // probing forever a follower that lost entries it had acknowledged (progress, or convergence
                    // when that follower never catches up), or a member's core refusing to truncate an entry it
                    // knows committed (§11.6), which stops its group.
                    case ACK_WITHOUT_FORCE ->
                        List.of("§11.3", "§11.1", "§11.6", "linearizability", "progress", "liveness", "convergence");
                    // The torn record is taken into the log at recovery, and reading it back fails its checksum or
                    // its decoding: the member cannot rejoin, its journal no longer opens after a crash, or its apply
                    // stops at the record and it never converges (seed 16: committed 871, applied 0).
                    case KEEP_TORN_RECORD ->
                        List.of("rejoins its group", "a journal opens after any crash", "convergence");
                };
        for (long seed = 1; seed <= MAX_SEEDS; seed++) {
            SimulationResult result =
                    NodeSimulation.run(SimulationOptions.defaults(seed), Set.of(), Set.of(mutation), null);
            if (!result.passed()) {
                String failure = result.failure().orElseThrow();
                assertTrue(
                        expected.stream().anyMatch(failure::contains),
                        mutation + " caught as the wrong rule at seed " + seed + ": " + failure);
                return;
            }
        }
        throw new AssertionError(mutation + " survived " + MAX_SEEDS + " seeds: the checks cannot see it");
    }
}
