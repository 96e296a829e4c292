package dev.echo.testkit.lin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The model-based check on a counter: the command "inc" answers the new value, the query "get" the current one. */
class LinearizabilityTest {
    /** A counter whose state is its value. */
    static final Model<Long> COUNTER = new Model<>() {
        @Override
        public Long initial() {
            return 0L;
        }

        @Override
        public Long apply(Long state, byte[] command, byte[] output) {
            long next = state + 1;
            return output == null || value(output) == next ? next : null;
        }

        @Override
        public boolean answers(Long state, byte[] query, byte[] output) {
            return value(output) == state;
        }
    };

    private static long value(byte[] output) {
        return Long.parseLong(new String(output, StandardCharsets.UTF_8));
    }

    private static Linearizability.Operation op(String command, long invoked, long returned, Long output) {
        return new Linearizability.Operation(
                0,
                command.equals("get"),
                command.getBytes(StandardCharsets.UTF_8),
                invoked,
                returned,
                output == null ? null : Long.toString(output).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void concurrentIncrementsMayTakeEffectInEitherOrder() {
        List<Linearizability.Operation> history =
                List.of(op("inc", 0, 10, 2L), op("inc", 1, 9, 1L), op("get", 11, 12, 2L));
        assertEquals(Optional.empty(), Linearizability.check(history, COUNTER));
    }

    @Test
    void aReadOfAValueNobodyWroteIsCaught() {
        List<Linearizability.Operation> history = List.of(op("inc", 0, 1, 1L), op("get", 2, 3, 0L));
        assertTrue(Linearizability.check(history, COUNTER).isPresent());
    }

    @Test
    void anUnknownOutcomeMayHaveTakenEffectOrNot() {
        Linearizability.Operation lost = op("inc", 0, Long.MAX_VALUE, null);
        assertEquals(Optional.empty(), Linearizability.check(List.of(lost, op("get", 5, 6, 1L)), COUNTER));
        assertEquals(Optional.empty(), Linearizability.check(List.of(lost, op("get", 5, 6, 0L)), COUNTER));
        assertTrue(Linearizability.check(List.of(lost, op("get", 5, 6, 2L)), COUNTER)
                .isPresent());
    }
}
