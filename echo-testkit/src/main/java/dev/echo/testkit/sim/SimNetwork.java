package dev.echo.testkit.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The simulated network's current weather: which directed links are cut, how often messages are lost or
 * duplicated, and how much their delays vary (which reorders them). Decisions draw from the simulation's seeded
 * random source. Not thread-safe.
 */
final class SimNetwork {
    private final SplittableRandom random;
    /** Members are numbered 0..63; a directed link is {@code from * 64 + to}. */
    private static final int MAX_MEMBERS = 64;

    /** Cut links, by link code; arrays rather than sets, as every message asks (issue 19's rate). */
    private final boolean[] cut = new boolean[MAX_MEMBERS * MAX_MEMBERS];

    private int cutLinks;
    /** The latest arrival scheduled on each link, by link code: what a new message may overtake. */
    private final long[] latestArrival = new long[MAX_MEMBERS * MAX_MEMBERS];

    double lossRate;
    double duplicateRate;
    long baseDelayMicros = 300;
    long jitterMicros = 1_500;

    SimNetwork(SplittableRandom random) {
        this.random = random;
        Arrays.fill(latestArrival, Long.MIN_VALUE);
    }

    boolean linkUp(int from, int to) {
        return !cut[link(from, to)];
    }

    void cut(int from, int to) {
        int link = link(from, to);
        if (!cut[link]) {
            cut[link] = true;
            cutLinks++;
        }
    }

    /**
     * Splits {@code members} members into two sides drawn from {@code sides} (true: the left side) and cuts every
     * link between them; returns the sides.
     */
    boolean[] partition(int members, SplittableRandom sides) {
        boolean[] left = new boolean[members];
        for (int i = 0; i < left.length; i++) {
            left[i] = sides.nextBoolean();
        }
        for (int a = 0; a < left.length; a++) {
            for (int b = 0; b < left.length; b++) {
                if (left[a] != left[b]) {
                    cut(a, b);
                }
            }
        }
        return left;
    }

    /** Restores every cut link, keeping the weather (loss, duplication, jitter) as it is. */
    void healLinks() {
        Arrays.fill(cut, false);
        cutLinks = 0;
    }

    void healAll() {
        healLinks();
        lossRate = 0;
        duplicateRate = 0;
        jitterMicros = 1_500;
    }

    boolean anyCut() {
        return cutLinks > 0;
    }

    /** How many copies of a message to deliver: 0 (lost or cut), 1, or 2 (duplicated). */
    int copies(int from, int to) {
        if (!linkUp(from, to) || random.nextDouble() < lossRate) {
            return 0;
        }
        return random.nextDouble() < duplicateRate ? 2 : 1;
    }

    /** Records a message arriving at {@code arrival} on a link; whether it overtakes one sent earlier there. */
    boolean arrivesOutOfOrder(int from, int to, long arrival) {
        int link = link(from, to);
        if (latestArrival[link] > arrival) {
            return true;
        }
        latestArrival[link] = arrival;
        return false;
    }

    long delayMicros() {
        return baseDelayMicros + random.nextLong(jitterMicros + 1);
    }

    private static int link(int from, int to) {
        if (from < 0 || to < 0 || from >= MAX_MEMBERS || to >= MAX_MEMBERS) {
            throw new IllegalArgumentException(
                    "members are numbered 0.." + (MAX_MEMBERS - 1) + ": " + from + "->" + to);
        }
        return from * MAX_MEMBERS + to;
    }
}
