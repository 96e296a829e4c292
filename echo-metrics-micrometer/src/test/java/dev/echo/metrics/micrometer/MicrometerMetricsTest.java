package dev.echo.metrics.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.metrics.MetricsSink;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Each kind of Echo instrument lands in the registry as the Micrometer meter its documentation names. */
class MicrometerMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MetricsSink sink = new MicrometerMetrics(registry);

    @Test
    void countersAddUp() {
        MetricsSink.Counter counter = sink.counter("echo.elections.won", "elections", "group", "g", "member", "n1");
        counter.increment();
        counter.add(4);
        assertEquals(
                5.0,
                registry.get("echo.elections.won")
                        .tags("group", "g", "member", "n1")
                        .counter()
                        .count());
    }

    @Test
    void nanosecondHistogramsAreTimersAndOthersSummaries() {
        sink.histogram("echo.commit.latency", "latency", "nanoseconds", "group", "g")
                .record(TimeUnit.MILLISECONDS.toNanos(3));
        sink.histogram("echo.journal.batch.bytes", "bytes", "bytes", "node", "n1")
                .record(4096);
        Timer timer = registry.get("echo.commit.latency").timer();
        assertEquals(1, timer.count());
        assertEquals(3.0, timer.totalTime(TimeUnit.MILLISECONDS), 0.001);
        DistributionSummary summary = registry.get("echo.journal.batch.bytes").summary();
        assertEquals(4096.0, summary.totalAmount());
        assertEquals("bytes", summary.getId().getBaseUnit());
    }

    @Test
    void gaugesReadTheirSupplierWhenRead() {
        AtomicLong lag = new AtomicLong(7);
        sink.gauge("echo.apply.lag", "lag", lag::get, "group", "g");
        assertEquals(7.0, registry.get("echo.apply.lag").gauge().value());
        lag.set(2);
        assertEquals(2.0, registry.get("echo.apply.lag").gauge().value());
    }

    @Test
    void registeringTwiceReturnsTheSameMeter() {
        sink.counter("echo.view.changes", "views", "group", "g").increment();
        sink.counter("echo.view.changes", "views", "group", "g").increment();
        assertEquals(2.0, registry.get("echo.view.changes").counter().count());
        assertTrue(registry.getMeters().size() == 1);
    }
}
