package dev.echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.testkit.kv.KvCommand;
import dev.echo.testkit.lin.KvLinearizability;
import dev.echo.testkit.sim.History.Operation;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checker must accept exactly the histories that have a linearization. */
class KvLinearizabilityTest {
    static final long UNKNOWN = Long.MAX_VALUE;

    static Operation op(KvCommand command, long invoked, long returned, String output) {
        return new Operation(0, command, invoked, returned, output);
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        assertEquals(
                Optional.empty(),
                KvLinearizability.check(List.of(
                        op(KvCommand.put("x", "1"), 0, 10, "OK"),
                        op(KvCommand.get("x"), 20, 30, "1"),
                        op(KvCommand.cas("x", "1", "2"), 40, 50, "1"),
                        op(KvCommand.get("x"), 60, 70, "2"))));
    }

    @Test
    void staleReadAfterACompletedWriteIsNot() {
        assertTrue(KvLinearizability.check(List.of(
                        op(KvCommand.put("x", "1"), 0, 10, "OK"),
                        op(KvCommand.put("x", "2"), 20, 30, "OK"),
                        op(KvCommand.get("x"), 40, 50, "1")))
                .isPresent());
    }

    @Test
    void concurrentOperationsMayTakeEffectInEitherOrder() {
        // Listed in answer order, not invocation order: the checker must not care.
        assertEquals(
                Optional.empty(),
                KvLinearizability.check(List.of(
                        op(KvCommand.get("x"), 30, 40, ""),
                        op(KvCommand.get("x"), 50, 60, "1"),
                        op(KvCommand.put("x", "1"), 0, 100, "OK"))));
    }

    @Test
    void readsCannotGoBackInTime() {
        assertTrue(KvLinearizability.check(List.of(
                        op(KvCommand.put("x", "1"), 0, 100, "OK"),
                        op(KvCommand.get("x"), 10, 20, "1"),
                        op(KvCommand.get("x"), 30, 40, "")))
                .isPresent());
    }

    @Test
    void unknownWriteMayHaveHappenedOrNot() {
        assertEquals(
                Optional.empty(),
                KvLinearizability.check(List.of(
                        op(KvCommand.put("x", "1"), 0, UNKNOWN, null),
                        op(KvCommand.get("x"), 10, 20, ""),
                        op(KvCommand.get("x"), 30, 40, "1"))));
        assertEquals(
                Optional.empty(),
                KvLinearizability.check(
                        List.of(op(KvCommand.put("x", "1"), 0, UNKNOWN, null), op(KvCommand.get("x"), 10, 20, ""))));
    }

    @Test
    void failedCompareAndSetMustHaveSeenAnotherValue() {
        assertTrue(KvLinearizability.check(List.of(
                        op(KvCommand.put("x", "a"), 0, 10, "OK"), op(KvCommand.cas("x", "a", "b"), 20, 30, "0")))
                .isPresent());
    }

    @Test
    void keysAreIndependent() {
        assertEquals(
                Optional.empty(),
                KvLinearizability.check(List.of(
                        op(KvCommand.put("x", "1"), 0, 10, "OK"),
                        op(KvCommand.put("y", "2"), 0, 10, "OK"),
                        op(KvCommand.get("x"), 20, 30, "1"),
                        op(KvCommand.get("y"), 20, 30, "2"))));
    }
}
