package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Optional;

/**
 * The term and vote that must be durable before a vote is granted or anything is sent in the term (PROTOCOL.md §5).
 * Immutable.
 *
 * @param term the current term, from 0
 * @param votedFor the candidate this member voted for in {@code term}, if any
 */
public record HardState(long term, Optional<MemberId> votedFor) {
    /** The state of a member that has never voted. */
    public static final HardState INITIAL = new HardState(0, Optional.empty());

    /** Validates the term. */
    public HardState {
        if (term < 0) {
            throw new IllegalArgumentException("term must not be negative: " + term);
        }
    }
}
