/**
 * Echo's core: the application API, the node, and the SPIs a journal and a transport implement.
 *
 * <ul>
 *   <li>{@code dev.echo.core} and {@code dev.echo.core.node}: what an application uses; {@code dev.echo.core.metrics}:
 *       where a node reports its metrics.
 *   <li>{@code dev.echo.core.storage}, {@code dev.echo.core.transport} and {@code dev.echo.core.codec}: the SPIs of
 *       journals and transports (a transport frames messages with the shared codec).
 *   <li>{@code dev.echo.core.protocol} and {@code dev.echo.core.runtime} are internal. The protocol is exported only
 *       to Echo's own journal and transports (the storage SPI records the protocol's log entries and hard state; a
 *       transport carries its messages) and to the testkit, whose simulator drives the protocol and the runtime
 *       directly (docs/architecture.md, "Packages").
 * </ul>
 */
module dev.echo.core {
    requires org.slf4j;
    requires jdk.jfr; // flight-recorder events: part of the JDK, no dependency

    exports dev.echo.core;
    exports dev.echo.core.node;
    exports dev.echo.core.storage;
    exports dev.echo.core.transport;
    exports dev.echo.core.codec;
    exports dev.echo.core.metrics;
    exports dev.echo.core.protocol to
            dev.echo.journal,
            dev.echo.transport.netty,
            dev.echo.testkit;
    exports dev.echo.core.runtime to
            dev.echo.testkit;
}
