package dev.echo.testkit.runtime;

import dev.echo.core.metrics.MetricsSink;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A metrics sink for tests: instruments by name and tags, readable at any time. Thread-safe. */
final class RecordingMetrics implements MetricsSink {
    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    /** Values recorded per histogram: how many. */
    final Map<String, AtomicLong> recordings = new ConcurrentHashMap<>();

    final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

    static String key(String name, String... tags) {
        return name + Arrays.toString(tags);
    }

    @Override
    public Counter counter(String name, String description, String... tags) {
        AtomicLong count = counters.computeIfAbsent(key(name, tags), k -> new AtomicLong());
        return count::addAndGet;
    }

    @Override
    public Histogram histogram(String name, String description, String unit, String... tags) {
        AtomicLong count = recordings.computeIfAbsent(key(name, tags), k -> new AtomicLong());
        return value -> {
            if (value < 0) {
                throw new AssertionError(name + " recorded a negative value " + value);
            }
            count.incrementAndGet();
        };
    }

    @Override
    public void gauge(String name, String description, LongSupplier value, String... tags) {
        gauges.put(key(name, tags), value);
    }

    long count(String name, String... tags) {
        AtomicLong count = counters.get(key(name, tags));
        return count == null ? -1 : count.get();
    }

    long recorded(String name, String... tags) {
        AtomicLong count = recordings.get(key(name, tags));
        return count == null ? -1 : count.get();
    }

    long gauge(String name, String... tags) {
        LongSupplier value = gauges.get(key(name, tags));
        if (value == null) {
            throw new AssertionError("no gauge " + key(name, tags) + " among " + gauges.keySet());
        }
        return value.getAsLong();
    }
}
