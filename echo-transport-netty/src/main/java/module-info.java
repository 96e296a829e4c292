/**
 * Echo's network transports on Netty: TCP with a cluster key or TLS, and UDP (docs/architecture.md, "Transports").
 * Exports {@code dev.echo.transport.netty}.
 *
 * <p>Netty 4.1 ships automatic modules (named in its manifests), hence the suppressed lint.
 */
@SuppressWarnings("requires-automatic")
module dev.echo.transport.netty {
    requires transitive dev.echo.core;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires java.naming; // parsing peer certificate names (LdapName)
    requires org.slf4j;

    exports dev.echo.transport.netty;
}
