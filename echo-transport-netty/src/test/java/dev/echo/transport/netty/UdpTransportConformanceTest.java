package dev.echo.transport.netty;

import dev.echo.testkit.transport.TransportConformance;

/** UDP with HMAC-SHA256 passes the transport conformance suite. */
class UdpTransportConformanceTest extends TransportConformance {
    @Override
    protected Fixture createFixture() {
        return new UdpFixture();
    }
}
