package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Objects;

/**
 * A voting member of a {@link Configuration} and its weight (PROTOCOL.md §2). Immutable.
 *
 * @param id the member
 * @param weight its vote weight, at least 1
 */
public record Voter(MemberId id, int weight) {
    /** Largest accepted weight; keeps every total weight far from overflow. */
    public static final int MAX_WEIGHT = 1 << 16;

    /** Validates the weight. */
    public Voter {
        Objects.requireNonNull(id, "id");
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight of " + id + " must be in 1.." + MAX_WEIGHT + ": " + weight);
        }
    }

    /** Shorthand for a voter named {@code id}. */
    public static Voter of(String id, int weight) {
        return new Voter(MemberId.of(id), weight);
    }
}
