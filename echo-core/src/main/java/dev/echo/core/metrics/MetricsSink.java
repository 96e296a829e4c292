package dev.echo.core.metrics;

import java.util.function.LongSupplier;

/**
 * Where an Echo node reports its metrics (issue 24): counters, histograms and gauges, each with a name and tags, bound
 * by the application to whatever it uses (a Micrometer registry, say). Echo asks for each instrument once, when a
 * node or group starts, and then only calls {@link Counter#increment} and {@link Histogram#record} on the hot path.
 * {@link #NONE}, the default, hands out instruments that do nothing, and Echo skips the measuring they would need.
 *
 * <p>Names are dot-separated and lower case ({@code echo.commit.latency}); tags are key/value pairs ({@code "group",
 * "orders", "member", "n1"}). docs/operations.md lists every metric.
 *
 * <p>Threading: implementations must be thread-safe. Registration may be called from any thread; instruments are
 * updated from Echo's loop and journal threads, and gauges are read from whichever thread reads the registry. No call
 * may block.
 */
public interface MetricsSink {
    /** Reports nothing, at no cost: Echo does not even measure for it. */
    MetricsSink NONE = new MetricsSink() {
        @Override
        public Counter counter(String name, String description, String... tags) {
            return Counter.NONE;
        }

        @Override
        public Histogram histogram(String name, String description, String unit, String... tags) {
            return Histogram.NONE;
        }

        @Override
        public void gauge(String name, String description, LongSupplier value, String... tags) {}
    };

    /**
     * A monotonically increasing count.
     *
     * @param tags key/value pairs, an even number of them
     */
    Counter counter(String name, String description, String... tags);

    /**
     * A distribution of recorded values.
     *
     * @param unit the unit of recorded values, {@code "nanoseconds"} or {@code "bytes"} or {@code "entries"}
     * @param tags key/value pairs, an even number of them
     */
    Histogram histogram(String name, String description, String unit, String... tags);

    /**
     * A value read when the registry is read; {@code value} must be cheap and thread-safe.
     *
     * @param tags key/value pairs, an even number of them
     */
    void gauge(String name, String description, LongSupplier value, String... tags);

    /** A count. Thread-safe. */
    interface Counter {
        /** Counts nothing. */
        Counter NONE = amount -> {};

        /** Adds {@code amount}, at least 0. */
        void add(long amount);

        /** Adds one. */
        default void increment() {
            add(1);
        }
    }

    /** A distribution. Thread-safe. */
    interface Histogram {
        /** Records nothing. */
        Histogram NONE = value -> {};

        /** Records one value. */
        void record(long value);
    }
}
