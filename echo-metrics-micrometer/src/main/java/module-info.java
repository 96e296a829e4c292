/**
 * Echo's metrics in Micrometer (issue 24): {@code MicrometerMetrics} binds the core's dependency-free metrics SPI to a
 * {@code MeterRegistry}, so Echo's counters, histograms and gauges reach whatever the registry publishes to.
 */
module dev.echo.metrics.micrometer {
    requires transitive dev.echo.core;
    requires transitive micrometer.core; // its MeterRegistry is in this module's API

    exports dev.echo.metrics.micrometer;
}
