package dev.echo.core.protocol;

/**
 * The policy of dynamic linear voting (PROTOCOL.md §7): when the leader shrinks the configuration around voters that
 * stopped answering, and when it gives a returning voter back its weight and rank. Immutable; validated on
 * construction (and against the election timeouts by {@link ProtocolOptions}).
 *
 * <p>Safety never depends on these values: every shrink and re-admission is an ordinary joint-consensus change. They
 * trade availability against churn. {@code minCopies} of {@link ProtocolOptions}, not these floors, is what keeps an
 * acknowledged write on several disks.
 *
 * @param shrink whether the leader removes suspected voters at all
 * @param readmit whether a returning suspended voter is re-admitted automatically
 * @param suspectTimeoutTicks a voter silent this long is suspected; far above the election timeout, so a leader
 *     change or a short network hiccup never shrinks the group
 * @param readmitAfterTicks hysteresis: a suspended voter must have answered steadily this long (and caught up)
 *     before it gets its vote back, so a flapping member does not churn the configuration
 * @param minVoters never shrink below this many voters
 * @param minWeightFraction never shrink below this fraction (0..1) of the nominal (configured) total weight
 */
public record DynamicVoting(
        boolean shrink,
        boolean readmit,
        int suspectTimeoutTicks,
        int readmitAfterTicks,
        int minVoters,
        double minWeightFraction) {

    /** Validates each bound. */
    public DynamicVoting {
        if (suspectTimeoutTicks < 1) {
            throw new IllegalArgumentException("suspectTimeoutTicks must be >= 1");
        }
        if (readmitAfterTicks < 1) {
            throw new IllegalArgumentException("readmitAfterTicks must be >= 1");
        }
        if (minVoters < 1) {
            throw new IllegalArgumentException("minVoters must be >= 1");
        }
        if (!(minWeightFraction >= 0 && minWeightFraction <= 1)) {
            throw new IllegalArgumentException("minWeightFraction must be in 0..1: " + minWeightFraction);
        }
    }

    /**
     * On, with 10 ms ticks: suspect after 5 s of silence, re-admit after 1 s of steady answers and a catch-up round
     * shorter than the election timeout; floors of one voter and no weight fraction, so a group losing members one
     * at a time keeps going down to its last (top) survivor (§7).
     */
    public static DynamicVoting defaults() {
        return new DynamicVoting(true, true, 500, 100, 1, 0.0);
    }

    /** Static membership: the configuration changes only when the application asks. */
    public static DynamicVoting off() {
        return new DynamicVoting(false, false, 500, 100, 1, 0.0);
    }

    /** A copy with other timings. */
    public DynamicVoting withTimeouts(int suspectTicks, int readmitTicks) {
        return new DynamicVoting(shrink, readmit, suspectTicks, readmitTicks, minVoters, minWeightFraction);
    }

    /** A copy with other floors. */
    public DynamicVoting withFloors(int voters, double weightFraction) {
        return new DynamicVoting(shrink, readmit, suspectTimeoutTicks, readmitAfterTicks, voters, weightFraction);
    }
}
