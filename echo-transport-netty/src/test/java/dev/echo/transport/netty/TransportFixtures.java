package dev.echo.transport.netty;

import dev.echo.testkit.transport.TransportConformance;
import java.util.List;

/** Fixtures for every Netty transport kind, for tests outside this package. Stateless; thread-safe. */
public final class TransportFixtures {
    /** The transports this module provides. */
    public enum Kind {
        /** Plain TCP. */
        TCP,
        /** TCP with mutual TLS 1.3. */
        TLS,
        /** UDP with HMAC-SHA256. */
        UDP
    }

    private TransportFixtures() {}

    /** A fixture of {@code kind} for {@code members} on free loopback ports. */
    public static TransportConformance.Fixture create(Kind kind, List<String> members) {
        switch (kind) {
            case TCP:
                return new TcpFixture(false, members);
            case TLS:
                return new TcpFixture(true, members);
            default:
                return new UdpFixture(members);
        }
    }
}
