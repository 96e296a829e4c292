/**
 * Netty transports for Echo: {@link dev.echo.transport.netty.NettyTcpTransport} (length-prefixed frames, a
 * handshake, optional TLS 1.3 with mutual authentication) and {@link dev.echo.transport.netty.NettyUdpTransport}
 * (one datagram per message, HMAC-SHA256 with a cluster key, replay window). Both implement the core's
 * {@link dev.echo.core.transport.Transport} SPI and encode messages with the core's
 * {@link dev.echo.core.codec.MessageCodec}. Netty I/O threads only frame, decode and hand envelopes to the listener.
 */
package dev.echo.transport.netty;
