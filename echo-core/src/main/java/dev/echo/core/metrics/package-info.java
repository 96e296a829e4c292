/** The metrics SPI (issue 24): dependency-free, no-op by default; bind it to a registry of your choice. */
package dev.echo.core.metrics;
