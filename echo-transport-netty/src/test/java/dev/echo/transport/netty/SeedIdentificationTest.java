package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.SeedResolver;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import dev.echo.testkit.transport.Inbox;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PROTOCOL.md §8: a joining machine may know its seeds only by address. It asks whoever listens there who it is, and
 * believes the answer only as far as it would believe a peer: the certificate must name that member (TLS), or the
 * peer must prove it holds the cluster key.
 */
class SeedIdentificationTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void aSeedAtABareAddressSaysWhoItIs(boolean tls) throws Exception {
        TcpFixture fixture = new TcpFixture(tls);
        NettyTcpTransport a = start(fixture, A, UnaryOperator.identity());
        NettyTcpTransport joiner = start(fixture, B, UnaryOperator.identity());
        assertEquals(A, joiner.identify(addressOf(a)).get(10, TimeUnit.SECONDS));
        // A one-off connection that carried no message, and that neither side took for an attack.
        assertEquals(0, a.metrics().messagesIn());
        assertEquals(
                0,
                a.metrics().handshakeRefusals() + a.metrics().authFailures(),
                a.metrics().toString());
        assertEquals(0, joiner.metrics().handshakeRefusals() + joiner.metrics().authFailures());
    }

    @Test
    void aSeedOfAnotherClusterIsRefused() throws Exception {
        TcpFixture fixture = new TcpFixture(false);
        NettyTcpTransport other = new NettyTcpTransport(
                TcpFixture.inCluster(fixture.options(A, UnaryOperator.identity()), "another-cluster"));
        opened.add(other);
        fixture.start(other, new Inbox());
        NettyTcpTransport joiner = start(fixture, B, UnaryOperator.identity());
        assertEquals(
                TransportException.Reason.PEER_REFUSED,
                failure(joiner, addressOf(other)).reason());
    }

    @Test
    void aSeedThatCannotProveTheClusterKeyIsRefused() throws Exception {
        TcpFixture fixture = new TcpFixture(false);
        ClusterKey wrong = ClusterKey.of("another-key-of-at-least-16-bytes".getBytes(StandardCharsets.US_ASCII));
        NettyTcpTransport impostor = start(fixture, A, builder -> builder.clusterKey(wrong));
        NettyTcpTransport joiner = start(fixture, B, UnaryOperator.identity());
        TransportException refused = failure(joiner, addressOf(impostor));
        assertEquals(TransportException.Reason.PEER_REFUSED, refused.reason());
        assertTrue(joiner.metrics().authFailures() > 0, joiner.metrics().toString());
    }

    @Test
    void anAddressWhereNobodyAnswersIsUnreachable() throws Exception {
        TcpFixture fixture = new TcpFixture(false);
        NettyTcpTransport joiner =
                start(fixture, B, builder -> builder.timeouts(Duration.ofSeconds(2), Duration.ofMillis(300)));
        // Bound and never accepted: the connection completes in the kernel and the handshake meets silence.
        ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        opened.add(silent);
        PeerAddress nobody = new PeerAddress("127.0.0.1", silent.getLocalPort());
        assertEquals(
                TransportException.Reason.PEER_UNREACHABLE,
                failure(joiner, nobody).reason());
    }

    @Test
    void theResolverKeepsTheSeedsThatAnswerAndNamesTheOnesThatDoNot() throws Exception {
        TcpFixture fixture = new TcpFixture(false);
        NettyTcpTransport a = start(fixture, A, UnaryOperator.identity());
        NettyTcpTransport joiner =
                start(fixture, B, builder -> builder.timeouts(Duration.ofSeconds(2), Duration.ofMillis(300)));
        ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        opened.add(silent);
        PeerAddress nobody = new PeerAddress("127.0.0.1", silent.getLocalPort());

        Map<MemberId, PeerAddress> found =
                SeedResolver.resolve(joiner, List.of(nobody, addressOf(a)), Duration.ofSeconds(5));
        assertEquals(Map.of(A, addressOf(a)), found);

        TransportException none = assertThrows(
                TransportException.class, () -> SeedResolver.resolve(joiner, List.of(nobody), Duration.ZERO));
        assertEquals(TransportException.Reason.PEER_UNREACHABLE, none.reason());
        assertTrue(none.getMessage().contains(nobody.toString()), none.getMessage());
    }

    @Test
    void overUdpASeedAnswersWhoItIsOnlyToTheClusterKey() throws Exception {
        UdpFixture fixture = new UdpFixture();
        NettyUdpTransport a = startUdp(fixture, A, UdpFixture.KEY);
        NettyUdpTransport joiner = startUdp(fixture, B, UdpFixture.KEY);
        PeerAddress seed = new PeerAddress("127.0.0.1", a.localAddress().getPort());
        assertEquals(A, joiner.identify(seed).get(10, TimeUnit.SECONDS));
        assertEquals(
                0,
                a.metrics().authFailures() + a.metrics().decodeErrors(),
                a.metrics().toString());
        // The question and the answer are datagrams like any other: counted out at the side that sent each.
        assertEquals(1, joiner.metrics().messagesOut(), joiner.metrics().toString());
        assertEquals(1, a.metrics().messagesOut(), a.metrics().toString());
        assertTrue(a.metrics().bytesOut() > 0, a.metrics().toString());

        // Without the key the question is dropped unread, and silence is all the asker gets.
        byte[] wrongKey = "another-key-of-at-least-16-bytes".getBytes(StandardCharsets.US_ASCII);
        NettyUdpTransport stranger = startUdp(fixture, MemberId.of("c"), wrongKey);
        ExecutionException unanswered = assertThrows(
                ExecutionException.class, () -> stranger.identify(seed).get(10, TimeUnit.SECONDS));
        assertEquals(
                TransportException.Reason.PEER_UNREACHABLE,
                assertInstanceOf(TransportException.class, unanswered.getCause())
                        .reason());
        assertTrue(a.metrics().authFailures() > 0, "the seed counted the stranger's question");
    }

    @Test
    void aTransportWithoutAddressesSaysItCannotIdentify() {
        Transport inMemory = new dev.echo.core.transport.InMemoryNetwork().transport(B);
        TransportException unsupported = assertThrows(
                TransportException.class,
                () -> SeedResolver.resolve(inMemory, List.of(new PeerAddress("127.0.0.1", 1)), Duration.ofMinutes(1)));
        assertEquals(TransportException.Reason.UNSUPPORTED, unsupported.reason());
    }

    private NettyTcpTransport start(
            TcpFixture fixture, MemberId member, UnaryOperator<TcpTransportOptions.Builder> adjust) throws Exception {
        NettyTcpTransport transport = new NettyTcpTransport(fixture.options(member, adjust));
        opened.add(transport);
        return fixture.start(transport, new Inbox());
    }

    private NettyUdpTransport startUdp(UdpFixture fixture, MemberId member, byte[] key) throws Exception {
        NettyUdpTransport transport = new NettyUdpTransport(fixture.options(member, key, UnaryOperator.identity()));
        opened.add(transport);
        return fixture.start(transport, new Inbox());
    }

    private static PeerAddress addressOf(NettyTcpTransport transport) {
        return new PeerAddress("127.0.0.1", transport.localAddress().getPort());
    }

    private static TransportException failure(NettyTcpTransport joiner, PeerAddress seed) throws Exception {
        ExecutionException failed = assertThrows(
                ExecutionException.class, () -> joiner.identify(seed).get(10, TimeUnit.SECONDS));
        return assertInstanceOf(TransportException.class, failed.getCause());
    }
}
