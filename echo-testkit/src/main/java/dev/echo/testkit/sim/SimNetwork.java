package dev.echo.testkit.sim;

import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulated network's current weather: which directed links are cut, how often messages are lost or
 * duplicated, and how much their delays vary (which reorders them). Decisions draw from the simulation's seeded
 * random source. Not thread-safe.
 */
final class SimNetwork {
    private final SplittableRandom random;
    /** Cut links, encoded as {@code from * 64 + to}. */
    private final TreeSet<Integer> cut = new TreeSet<>();
    /** The latest arrival scheduled on each link, by the same code: what a new message may overtake. */
    private final TreeMap<Integer, Long> latestArrival = new TreeMap<>();

    double lossRate;
    double duplicateRate;
    long baseDelayMicros = 300;
    long jitterMicros = 1_500;

    SimNetwork(SplittableRandom random) {
        this.random = random;
    }

    boolean linkUp(int from, int to) {
        return !cut.contains(from * 64 + to);
    }

    void cut(int from, int to) {
        cut.add(from * 64 + to);
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
        cut.clear();
    }

    void healAll() {
        cut.clear();
        lossRate = 0;
        duplicateRate = 0;
        jitterMicros = 1_500;
    }

    boolean anyCut() {
        return !cut.isEmpty();
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
        Long latest = latestArrival.merge(from * 64 + to, arrival, Math::max);
        return latest != arrival;
    }

    long delayMicros() {
        return baseDelayMicros + random.nextLong(jitterMicros + 1);
    }
}
