package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.testkit.transport.TransportConformance;
import java.util.List;
import java.util.function.UnaryOperator;

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

    /**
     * A TCP or TLS transport for {@code member} that knows the fixture's started members as seeds but that the
     * fixture does not announce to them: a new machine, which its peers can reach only once a configuration records
     * its address (PROTOCOL.md §8). Its port is bound when it starts ({@link NettyTcpTransport#localAddress()}).
     *
     * @throws IllegalArgumentException for a UDP fixture
     */
    public static NettyTcpTransport unannounced(TransportConformance.Fixture fixture, MemberId member) {
        if (!(fixture instanceof TcpFixture tcp)) {
            throw new IllegalArgumentException("only TCP and TLS fixtures make unannounced transports");
        }
        return new NettyTcpTransport(tcp.options(member, UnaryOperator.identity()));
    }

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
