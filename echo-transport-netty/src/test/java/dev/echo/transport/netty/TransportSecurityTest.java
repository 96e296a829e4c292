package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.codec.Envelope;
import dev.echo.core.protocol.Message;
import dev.echo.core.transport.Transport;
import dev.echo.testkit.transport.Inbox;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §10: only authenticated peers of the same cluster reach the core. A certificate from another CA, a
 * certificate naming another member, a wrong cluster id and a wrong UDP key are all refused and counted, and nothing
 * they send is delivered; a replayed datagram is rejected.
 */
class TransportSecurityTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final List<Transport> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        started.forEach(Transport::close);
    }

    @Test
    void aPeerWithACertificateFromAnotherAuthorityIsRefused() throws Exception {
        TcpFixture fixture = new TcpFixture(true);
        Inbox atA = new Inbox();
        Transport a = start(fixture, new NettyTcpTransport(fixture.options(A, UnaryOperator.identity())), atA);
        Transport rogue = start(
                fixture,
                new NettyTcpTransport(fixture.options(B, builder -> builder.tls(rogueCredentials()))),
                new Inbox());
        rogue.send(A, heartbeat(B));
        assertTrue(
                Inbox.await(() -> a.metrics().authFailures() > 0, PATIENCE),
                a.metrics().toString());
        // And the other way: a will not talk to a server presenting that certificate either.
        a.send(B, heartbeat(A));
        assertTrue(
                Inbox.await(() -> a.metrics().authFailures() > 1, PATIENCE),
                a.metrics().toString());
        assertEquals(List.of(), atA.all());
    }

    @Test
    void aCertificateMustNameTheMemberItsOwnerClaims() throws Exception {
        TcpFixture fixture = new TcpFixture(true);
        Inbox atA = new Inbox();
        Transport a = start(fixture, new NettyTcpTransport(fixture.options(A, UnaryOperator.identity())), atA);
        // Member c's genuine certificate, presented by a transport claiming to be b.
        Transport impostor = start(
                fixture,
                new NettyTcpTransport(fixture.options(B, builder -> builder.tls(credentials("c")))),
                new Inbox());
        impostor.send(A, heartbeat(B));
        assertTrue(
                Inbox.await(() -> a.metrics().handshakeRefusals() > 0, PATIENCE),
                a.metrics().toString());
        assertTrue(a.metrics().authFailures() > 0);
        assertEquals(List.of(), atA.all());
    }

    @Test
    void aPeerOfAnotherClusterIsRefusedAtTheHandshake() throws Exception {
        TcpFixture fixture = new TcpFixture(false);
        Inbox atA = new Inbox();
        Transport a = start(fixture, new NettyTcpTransport(fixture.options(A, UnaryOperator.identity())), atA);
        TcpTransportOptions other = fixture.options(B, UnaryOperator.identity());
        Transport stranger =
                start(fixture, new NettyTcpTransport(TcpFixture.inCluster(other, "another-cluster")), new Inbox());
        stranger.send(A, heartbeat(B));
        assertTrue(
                Inbox.await(() -> a.metrics().handshakeRefusals() > 0, PATIENCE),
                a.metrics().toString());
        assertTrue(Inbox.await(() -> stranger.metrics().handshakeRefusals() > 0, PATIENCE));
        assertEquals(List.of(), atA.all());
    }

    @Test
    void aPeerWithoutTheClusterKeyIsRefusedBothWays() throws Exception { // PROTOCOL.md §10
        TcpFixture fixture = new TcpFixture(false);
        Inbox atA = new Inbox();
        Transport a = start(fixture, new NettyTcpTransport(fixture.options(A, UnaryOperator.identity())), atA);
        ClusterKey otherKey = ClusterKey.generate();
        Inbox atRogue = new Inbox();
        Transport rogue = start(
                fixture, new NettyTcpTransport(fixture.options(B, builder -> builder.clusterKey(otherKey))), atRogue);
        rogue.send(A, heartbeat(B));
        assertTrue(
                Inbox.await(() -> rogue.metrics().authFailures() > 0, PATIENCE),
                rogue.metrics().toString());
        a.send(B, heartbeat(A));
        assertTrue(
                Inbox.await(() -> a.metrics().authFailures() > 0, PATIENCE),
                a.metrics().toString());
        assertEquals(List.of(), atA.all());
        assertEquals(List.of(), atRogue.all());
    }

    @Test
    void plainTcpNeedsAKeyOrAnExplicitOptIn() {
        TcpTransportOptions.Builder plain =
                TcpTransportOptions.builder(A, "c", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, plain::build);
        assertTrue(refused.getMessage().contains("TLS or a cluster key"), refused.getMessage());
        TcpTransportOptions optedIn = plain.allowUnauthenticated().build();
        assertFalse(optedIn.authenticatesPeers());
        assertFalse(new NettyTcpTransport(optedIn).authenticatesPeers());
        assertThrows(
                IllegalArgumentException.class,
                () -> plain.clusterKey(ClusterKey.generate()).build(),
                "a key and the opt-in contradict each other");
        assertThrows(IllegalArgumentException.class, () -> ClusterKey.of(new byte[15]));
        assertTrue(new NettyTcpTransport(
                        TcpTransportOptions.builder(A, "c", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                                .clusterKey(ClusterKey.generate())
                                .build())
                .authenticatesPeers());
    }

    @Test
    void aDatagramUnderAnotherKeyIsDroppedAndCounted() throws Exception {
        UdpFixture fixture = new UdpFixture();
        Inbox atA = new Inbox();
        Transport a = start(fixture, new NettyUdpTransport(fixture.options(A, UnaryOperator.identity())), atA);
        byte[] otherKey = "another-cluster-key-of-32-bytes!".getBytes(StandardCharsets.US_ASCII);
        Transport stranger = start(
                fixture, new NettyUdpTransport(fixture.options(B, otherKey, UnaryOperator.identity())), new Inbox());
        for (int i = 0; i < 5; i++) {
            stranger.send(A, heartbeat(B));
        }
        assertTrue(
                Inbox.await(() -> a.metrics().authFailures() >= 5, PATIENCE),
                a.metrics().toString());
        assertEquals(List.of(), atA.all());
    }

    @Test
    void aReplayedDatagramIsRejected() throws Exception {
        UdpFixture fixture = new UdpFixture();
        Inbox atA = new Inbox();
        Transport a = start(fixture, new NettyUdpTransport(fixture.options(A, UnaryOperator.identity())), atA);
        Datagrams sealer = new Datagrams(UdpFixture.KEY);
        ByteBuf sealed = sealer.seal(ByteBufAllocator.DEFAULT, fixture.codec(), heartbeat(B), 1, 1);
        byte[] bytes = new byte[sealed.readableBytes()];
        sealed.readBytes(bytes);
        sealed.release();
        try (DatagramSocket socket = new DatagramSocket()) {
            DatagramPacket packet =
                    new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), fixture.port(A));
            socket.send(packet);
            assertTrue(Inbox.await(() -> atA.all().size() == 1, PATIENCE));
            socket.send(packet);
            assertTrue(
                    Inbox.await(() -> a.metrics().authFailures() == 1, PATIENCE),
                    a.metrics().toString());
        }
        assertEquals(1, atA.all().size());
    }

    private Transport start(TcpFixture fixture, NettyTcpTransport transport, Inbox inbox) throws Exception {
        started.add(transport);
        return fixture.start(transport, inbox);
    }

    private Transport start(UdpFixture fixture, NettyUdpTransport transport, Inbox inbox) throws Exception {
        started.add(transport);
        return fixture.start(transport, inbox);
    }

    private static TlsCredentials rogueCredentials() {
        try {
            return TestPki.get().rogue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TlsCredentials credentials(String member) {
        try {
            return TestPki.get().credentials(member);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Envelope heartbeat(MemberId from) {
        return new Envelope("g", 0, new Message.AppendRequest(from, 1, 0, 0, List.of(), 0, 0));
    }
}
