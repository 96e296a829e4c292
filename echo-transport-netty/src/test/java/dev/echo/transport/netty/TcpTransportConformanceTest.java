package dev.echo.transport.netty;

import dev.echo.testkit.transport.TransportConformance;

/** Plain TCP passes the transport conformance suite. */
class TcpTransportConformanceTest extends TransportConformance {
    @Override
    protected Fixture createFixture() {
        return new TcpFixture(false);
    }
}
