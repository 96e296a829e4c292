package dev.echo.transport.netty;

import dev.echo.core.transport.TransportException;
import java.util.List;

/**
 * The testkit's test authority ({@link dev.echo.testkit.tls.TestPki}) as this module's {@link TlsCredentials}.
 *
 * <p>Thread-safe, as the authority is.
 */
final class TestPki {
    /** Every member name the transport tests use. */
    private static final List<String> MEMBERS = List.of("a", "b", "c", "n1", "n2", "n3", "n4");

    private static final TestPki INSTANCE = new TestPki();

    private final dev.echo.testkit.tls.TestPki authority = dev.echo.testkit.tls.TestPki.get();

    private TestPki() {
        MEMBERS.forEach(authority::keyStore); // made up front, not inside a timed test
    }

    static TestPki get() {
        return INSTANCE;
    }

    /** TLS credentials of {@code member}, trusting the test authority. */
    TlsCredentials credentials(String member) throws TransportException {
        return TlsCredentials.fromPkcs12(
                authority.keyStore(member), authority.password(), authority.trustStore(), authority.password());
    }

    /** Credentials claiming to be member b, self-signed: an authority the cluster does not trust. */
    TlsCredentials rogue() throws TransportException {
        return TlsCredentials.fromPkcs12(
                authority.rogueKeyStore("b"), authority.password(), authority.trustStore(), authority.password());
    }
}
