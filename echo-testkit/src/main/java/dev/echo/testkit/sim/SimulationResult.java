package dev.echo.testkit.sim;

import dev.echo.testkit.lin.Linearizability;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one simulated run.
 *
 * <p>Immutable once returned; safe to read from any thread.
 *
 * @param options what was run (its seed replays it)
 * @param members how many members the run had
 * @param failure the first rule broken, or empty when the run passed
 * @param steps protocol steps executed
 * @param simulatedMicros simulated time at the end
 * @param traceHash hash of every step: equal for equal runs
 * @param history the client history of the protocol-level simulator's key-value clients
 * @param operations the client history of the whole-node simulator, as the linearizability check reads it
 * @param counts the faults injected, by kind, and the operations checked
 */
public record SimulationResult(
        SimulationOptions options,
        int members,
        Optional<String> failure,
        long steps,
        long simulatedMicros,
        long traceHash,
        History history,
        List<Linearizability.Operation> operations,
        RunCounts counts) {
    /** Whether every check passed. */
    public boolean passed() {
        return failure.isEmpty();
    }
}
