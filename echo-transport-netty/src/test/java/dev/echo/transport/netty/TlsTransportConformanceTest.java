package dev.echo.transport.netty;

import dev.echo.testkit.transport.TransportConformance;
import org.junit.jupiter.api.BeforeAll;

/** TCP with TLS 1.3 and mutual authentication passes the transport conformance suite. */
class TlsTransportConformanceTest extends TransportConformance {
    /**
     * The test keys take about twenty keytool runs, each a JVM start: made before the suite's timed tests, so that a
     * loaded machine slows this set-up down instead of failing the first test's timeout.
     */
    @BeforeAll
    static void makeTheTestKeys() {
        TestPki.get();
    }

    @Override
    protected Fixture createFixture() {
        return new TcpFixture(true);
    }
}
