/** Echo's metrics SPI bound to Micrometer: {@link dev.echo.metrics.micrometer.MicrometerMetrics}. */
package dev.echo.metrics.micrometer;
