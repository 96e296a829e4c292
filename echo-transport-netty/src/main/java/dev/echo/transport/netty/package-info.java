/**
 * Netty transports (TCP with TLS, UDP with a MAC) and the versioned frame codec. Not built yet (see the
 * transport issue); the module exists so the dependency rules keep Netty out of echo-core from day one.
 */
package dev.echo.transport.netty;
