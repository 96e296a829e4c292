package dev.echo.metrics.micrometer;

import dev.echo.core.metrics.MetricsSink;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Echo's {@link MetricsSink} on a Micrometer {@link MeterRegistry}: an Echo counter is a Micrometer
 * {@link io.micrometer.core.instrument.Counter}, a
 * histogram in nanoseconds a {@link Timer} (so a registry publishes it in its own time unit), any other histogram a
 * {@link DistributionSummary} with that base unit, and a gauge a {@link Gauge} that holds its supplier strongly (Echo
 * keeps no other reference to it). Registering an instrument that exists returns the existing one, as Micrometer does.
 *
 * <p>Thread-safe, as Micrometer's registries are.
 */
public final class MicrometerMetrics implements MetricsSink {
    private final MeterRegistry registry;

    /** Reports to {@code registry}. */
    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public MetricsSink.Counter counter(String name, String description, String... tags) {
        io.micrometer.core.instrument.Counter counter = io.micrometer.core.instrument.Counter.builder(name)
                .description(description)
                .tags(tags)
                .register(registry);
        return counter::increment;
    }

    @Override
    public MetricsSink.Histogram histogram(String name, String description, String unit, String... tags) {
        if ("nanoseconds".equals(unit)) {
            Timer timer = Timer.builder(name)
                    .description(description)
                    .tags(tags)
                    .publishPercentileHistogram()
                    .register(registry);
            return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
        }
        DistributionSummary summary = DistributionSummary.builder(name)
                .description(description)
                .baseUnit(unit)
                .tags(tags)
                .publishPercentileHistogram()
                .register(registry);
        return summary::record;
    }

    @Override
    public void gauge(String name, String description, LongSupplier value, String... tags) {
        Gauge.builder(name, value, LongSupplier::getAsLong)
                .description(description)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }
}
