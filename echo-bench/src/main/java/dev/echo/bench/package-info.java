/** JMH micro-benchmarks of Echo's parts; run with {@code bin/echo-bench jmh}. Never run by CI. */
package dev.echo.bench;
