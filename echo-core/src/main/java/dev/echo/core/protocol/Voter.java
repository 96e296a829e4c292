package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Objects;

/**
 * A voting member of a {@link Configuration}: its weight and the incarnation whose votes and acknowledgements count
 * (PROTOCOL.md §2, §5). Immutable.
 *
 * <p>The incarnation names one life of the member's disk. A member whose disk was wiped comes back with a higher
 * incarnation and has lost its log and its votes, so nothing it says counts for this voter until a joint change
 * records the new incarnation (re-admission, §7). Recording it in the configuration, rather than trusting the member,
 * is what lets every leader and candidate judge this the same way.
 *
 * @param id the member
 * @param weight its vote weight, at least 1
 * @param incarnation the incarnation whose messages count for this voter, at least 0
 */
public record Voter(MemberId id, int weight, long incarnation) {
    /** Largest accepted weight; keeps every total weight far from overflow. */
    public static final int MAX_WEIGHT = 1 << 16;

    /** Validates the weight and the incarnation. */
    public Voter {
        Objects.requireNonNull(id, "id");
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight of " + id + " must be in 1.." + MAX_WEIGHT + ": " + weight);
        }
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation of " + id + " must not be negative: " + incarnation);
        }
    }

    /** A voter in its first incarnation (0), the one a group is bootstrapped with. */
    public Voter(MemberId id, int weight) {
        this(id, weight, 0);
    }

    /** Shorthand for a voter named {@code id} in its first incarnation. */
    public static Voter of(String id, int weight) {
        return new Voter(MemberId.of(id), weight);
    }

    /** This voter with another weight, same incarnation. */
    public Voter withWeight(int newWeight) {
        return new Voter(id, newWeight, incarnation);
    }

    /** This voter recorded at another incarnation. */
    public Voter withIncarnation(long newIncarnation) {
        return new Voter(id, weight, newIncarnation);
    }
}
