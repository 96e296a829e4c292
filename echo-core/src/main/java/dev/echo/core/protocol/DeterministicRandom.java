package dev.echo.core.protocol;

/**
 * A seeded SplitMix64 generator: the protocol core's only source of randomness (election timeouts).
 *
 * <p>Same seed, same sequence, on every JVM. Not thread-safe; owned by one core instance.
 */
public final class DeterministicRandom {
    private long state;

    /** Creates a generator whose whole sequence is fixed by {@code seed}. */
    public DeterministicRandom(long seed) {
        this.state = seed;
    }

    /** Returns the next 64 pseudo-random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns a value uniformly drawn from {@code [0, bound)}; {@code bound} must be positive. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }
}
