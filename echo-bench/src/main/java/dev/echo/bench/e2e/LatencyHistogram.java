package dev.echo.bench.e2e;

/**
 * Latencies in microseconds, log-linear buckets (32 per power of two above 64 µs: under 3.2% error; exact below), so recording
 * costs an array increment and no allocation. Not thread-safe: one recorder at a time.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[64 * SUB];
    private long total;
    private long max;

    void record(long micros) {
        long v = Math.max(0, micros);
        counts[bucket(v)]++;
        total++;
        max = Math.max(max, v);
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The smallest recorded bucket's upper bound below which {@code fraction} of the values lie. */
    long percentile(double fraction) {
        long rank = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank && counts[i] > 0) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    private static int bucket(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS + 1; // >= 1
        int mantissa = (int) (v >>> exponent); // the top SUB_BITS bits, leading one included: 32..63
        return exponent * SUB + mantissa;
    }

    private static long upperBound(int bucket) {
        int exponent = bucket / SUB;
        long mantissa = bucket % SUB;
        if (exponent == 0) {
            return mantissa;
        }
        return ((mantissa + 1) << exponent) - 1; // values v with v >>> exponent == mantissa
    }
}
