package dev.echo.transport.netty;

import dev.echo.testkit.transport.TransportConformance;

/** TCP with TLS 1.3 and mutual authentication passes the transport conformance suite. */
class TlsTransportConformanceTest extends TransportConformance {
    @Override
    protected Fixture createFixture() {
        return new TcpFixture(true);
    }
}
