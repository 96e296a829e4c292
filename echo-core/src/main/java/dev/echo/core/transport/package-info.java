/**
 * The transport SPI: how members of a node's groups reach members on other nodes. A {@link
 * dev.echo.core.transport.Transport} carries {@link dev.echo.core.codec.Envelope}s (a protocol message plus the
 * group and the sender's incarnation), never blocks its caller, bounds every queue and counts what it drops. The
 * in-memory implementation lives here; TCP (with TLS) and UDP live in {@code echo-transport-netty}.
 */
package dev.echo.core.transport;
