package dev.echo.core.protocol;

import java.util.List;
import java.util.Objects;

/**
 * What a member's journal held when it started: the durable term/vote and log (PROTOCOL.md §5). Immutable.
 *
 * @param hardState the durable term and vote
 * @param entries the durable log, consecutive from index 1
 */
public record RecoveredState(HardState hardState, List<Entry> entries) {
    /** The state of a member with an empty journal. */
    public static final RecoveredState EMPTY = new RecoveredState(HardState.INITIAL, List.of());

    /** Freezes the log and checks it is consecutive with non-decreasing terms no later than the hard state's. */
    public RecoveredState {
        Objects.requireNonNull(hardState, "hardState");
        entries = List.copyOf(entries);
        long previousTerm = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (entry.index() != i + 1 || entry.term() < previousTerm || entry.term() > hardState.term()) {
                throw new IllegalArgumentException("recovered log is not consecutive with valid terms at " + (i + 1));
            }
            previousTerm = entry.term();
        }
    }
}
