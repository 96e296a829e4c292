/**
 * Echo's examples: echo-kv (a Redis-compatible replicated key-value store), the embedding example and the demo.
 * They are applications of Echo, so they compile as one: against the packages echo-core exports, never its
 * protocol or runtime (docs/architecture.md, "Packages"). They export nothing: they are programs, run by bin/.
 */
@SuppressWarnings("requires-automatic") // Netty 4.1 and Micrometer ship automatic modules
module dev.echo.examples {
    requires dev.echo.core;
    requires dev.echo.journal;
    requires dev.echo.transport.netty;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.redis;
    requires io.netty.common;
    requires io.netty.transport;
    requires org.slf4j;
    requires dev.echo.metrics.micrometer;
    requires micrometer.registry.prometheus; // echo-kv --metrics: the Prometheus text format
    requires jdk.httpserver; // serves it: part of the JDK
}
