package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.echo.core.MemberId;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Message;
import dev.echo.core.transport.TransportException;
import dev.echo.testkit.transport.Inbox;
import io.netty.channel.DefaultChannelPipeline;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The TCP wire seen from a raw socket: the documented frame format is accepted; after a valid handshake an oversized
 * length, a bit-flipped frame or a message in another member's name closes the connection and is counted; a silent
 * connection is closed at the handshake timeout; no exception ever reaches the end of a Netty pipeline. A peer that
 * stops reading costs at most the bounded queue.
 */
class TcpWireTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final TcpFixture fixture = new TcpFixture(false);
    private final Inbox inbox = new Inbox();
    private final ListAppender<ILoggingEvent> pipelineTail = new ListAppender<>();
    private NettyTcpTransport a;

    @BeforeEach
    void startA() throws Exception {
        ((Logger) LoggerFactory.getLogger(DefaultChannelPipeline.class)).addAppender(pipelineTail);
        pipelineTail.start();
        a = new NettyTcpTransport(
                fixture.options(A, builder -> builder.timeouts(Duration.ofSeconds(2), Duration.ofMillis(300))));
        a.start(inbox);
    }

    @AfterEach
    void stop() {
        a.close();
        ((Logger) LoggerFactory.getLogger(DefaultChannelPipeline.class)).detachAppender(pipelineTail);
        assertEquals(List.of(), pipelineTail.list, "exceptions reached the end of a pipeline");
    }

    @Test
    void aRawClientSpeakingTheDocumentedFormatIsHeard() throws Exception {
        try (RawPeer peer = handshaken(B)) {
            RawFrames.write(peer.socket, peer.frame(envelope(B, 42)));
            assertTrue(Inbox.await(() -> inbox.contains(envelope(B, 42)), PATIENCE));
        }
    }

    /**
     * The frame limit is the handshake's until the proof is checked, and a message's from then on: frames that arrive
     * in the same read as the proof are judged by the limit in force when each is reached, not by the handshake's.
     */
    @Test
    void aLargeMessageInTheSameReadAsTheProofIsHeard() throws Exception {
        Envelope large = appendWithCommand(B, 43);
        RawPeer peer = handshaken(B, p -> p.frame(large));
        try {
            assertTrue(Inbox.await(() -> inbox.contains(large), PATIENCE));
        } finally {
            peer.close();
        }
        assertEquals(0, a.metrics().decodeErrors());
    }

    @Test
    void anOversizedLengthAfterTheHandshakeClosesTheConnection() throws Exception {
        try (RawPeer peer = handshaken(B)) {
            byte[] length = {0x7F, 0, 0, 0};
            RawFrames.write(peer.socket, length);
            assertClosed(peer.socket);
        }
        assertTrue(a.metrics().decodeErrors() >= 1);
        assertEquals(List.of(), inbox.all());
    }

    @Test
    void aMessageInAnotherMembersNameClosesTheConnection() throws Exception {
        try (RawPeer peer = handshaken(B)) {
            RawFrames.write(peer.socket, peer.frame(envelope(MemberId.of("c"), 1)));
            assertClosed(peer.socket);
        }
        assertEquals(1, a.metrics().authFailures());
        assertEquals(List.of(), inbox.all());
    }

    @Test
    void bitFlippedFramesAreDeliveredIntactOrRefused() throws Exception {
        Random random = new Random(7);
        MessageCodec codec = fixture.codec();
        for (int trial = 0; trial < 60; trial++) {
            int before = inbox.all().size();
            long refusedBefore = a.metrics().decodeErrors() + a.metrics().authFailures();
            try (RawPeer peer = handshaken(B)) {
                byte[] frame = peer.frame(appendWithCommand(B, trial));
                int bit = 32 + random.nextInt((frame.length - 4) * 8); // keep the length prefix: flip the rest
                frame[bit / 8] ^= (byte) (1 << (bit % 8));
                RawFrames.write(peer.socket, frame);
                RawFrames.write(peer.socket, peer.frame(envelope(B, 1_000 + trial))); // a marker behind it
                assertTrue(Inbox.await(
                        () -> inbox.all().size() > before
                                || a.metrics().decodeErrors() + a.metrics().authFailures() > refusedBefore,
                        PATIENCE));
            }
            List<Envelope> received = inbox.all(); // one copy: the marker may still be arriving
            for (Envelope delivered : received.subList(before, received.size())) {
                // Whatever got through decoded completely and speaks for the member the handshake established.
                assertEquals(B, delivered.from());
            }
        }
    }

    @Test
    void aPortInUseIsATypedBindError() throws Exception {
        NettyTcpTransport second =
                new NettyTcpTransport(TcpTransportOptions.builder(A, TcpFixture.CLUSTER, a.localAddress())
                        .clusterKey(TcpFixture.KEY)
                        .build());
        TransportException refused = assertThrows(TransportException.class, () -> second.start(new Inbox()));
        assertEquals(TransportException.Reason.BIND_FAILED, refused.reason());
        second.close();
    }

    @Test
    void aConnectionThatNeverIntroducesItselfIsClosed() throws Exception {
        try (Socket socket =
                new Socket(InetAddress.getLoopbackAddress(), a.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            assertClosed(socket);
        }
        assertTrue(Inbox.await(() -> a.metrics().handshakeRefusals() == 1, PATIENCE));
    }

    @Test
    void aPeerThatStopsReadingCostsAtMostTheBoundedQueue() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MemberId sink = MemberId.of("sink");
            a.updatePeer(sink, new dev.echo.core.PeerAddress("127.0.0.1", silent.getLocalPort()));
            try (Socket accepted = silent.accept()) {
                // Answer the hello, then never read again.
                Handshake.Hello hello = assertInstanceOf(Handshake.Hello.class, RawFrames.readHandshake(accepted));
                byte[] nonce = ClusterKeyAuth.nonce();
                byte[] proof = new ClusterKeyAuth(TcpFixture.KEY.toBytes())
                        .serverProof(new ClusterKeyAuth.Transcript(TcpFixture.CLUSTER, A, sink, hello.nonce(), nonce));
                RawFrames.write(accepted, RawFrames.handshake(new Handshake.Welcome(sink, 0, nonce, proof)));
                Envelope large = appendWithCommand(A, 1);
                int attempts = 100_000;
                int accepted1 = 0;
                for (int i = 0; i < attempts; i++) {
                    if (a.send(sink, large)) {
                        accepted1++;
                    }
                }
                long dropped = a.metrics().dropped();
                assertTrue(dropped > attempts / 2, "dropped " + dropped);
                assertTrue(accepted1 < attempts / 2, "accepted " + accepted1);
            }
        }
    }

    /**
     * A raw socket that completed the documented handshake as {@code as}, cluster-key proof included; the frames it
     * makes carry the tags the connection is bound to.
     */
    private RawPeer handshaken(MemberId as) throws IOException {
        return handshaken(as, peer -> new byte[0]);
    }

    /**
     * As {@link #handshaken(MemberId)}, with {@code sentWithProof}'s bytes in the same write as the proof, as a peer
     * sends what it queued while it connected.
     */
    private RawPeer handshaken(MemberId as, Function<RawPeer, byte[]> sentWithProof) throws IOException {
        Socket socket =
                new Socket(InetAddress.getLoopbackAddress(), a.localAddress().getPort());
        socket.setSoTimeout(5000);
        byte[] nonce = ClusterKeyAuth.nonce();
        RawFrames.write(
                socket,
                RawFrames.handshake(
                        new Handshake.Hello(MessageCodec.VERSION, TcpFixture.CLUSTER, as, 0, Optional.of(A), nonce)));
        Handshake answer = RawFrames.readHandshake(socket);
        Handshake.Welcome welcome = assertInstanceOf(Handshake.Welcome.class, answer, "the transport welcomed us");
        ClusterKeyAuth key = new ClusterKeyAuth(TcpFixture.KEY.toBytes());
        ClusterKeyAuth.Transcript transcript =
                new ClusterKeyAuth.Transcript(TcpFixture.CLUSTER, as, A, nonce, welcome.nonce());
        assertArrayEquals(key.serverProof(transcript), welcome.proof(), "it proved it holds the cluster key");
        RawPeer peer = new RawPeer(socket, new FrameTags(key.clientToServer(transcript)));
        byte[] proof = RawFrames.handshake(new Handshake.Proof(key.clientProof(transcript)));
        byte[] after = sentWithProof.apply(peer);
        byte[] both = Arrays.copyOf(proof, proof.length + after.length);
        System.arraycopy(after, 0, both, proof.length, after.length);
        RawFrames.write(socket, both);
        return peer;
    }

    /** A raw client connection after the handshake, and the tags its frames must carry. */
    private final class RawPeer implements AutoCloseable {
        final Socket socket;
        private final FrameTags tags;

        RawPeer(Socket socket, FrameTags tags) {
            this.socket = socket;
            this.tags = tags;
        }

        /** {@code envelope} as a tagged frame, the next in this connection's sequence. */
        byte[] frame(Envelope envelope) {
            return RawFrames.envelope(fixture.codec(), envelope, tags);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void assertClosed(Socket socket) throws IOException {
        try {
            int read;
            do {
                read = socket.getInputStream().read();
            } while (read >= 0);
        } catch (SocketException reset) {
            // A reset is a close too.
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("connection still open", stillOpen);
        }
    }

    private static Envelope envelope(MemberId from, long marker) {
        return new Envelope("g", 0, new Message.AppendRequest(from, 1, 0, 0, List.of(), marker, 0));
    }

    private static Envelope appendWithCommand(MemberId from, int marker) {
        Entry entry = new Entry(1, 1, new Entry.Command(9, 1, 0, new byte[1000]));
        return new Envelope("g", 0, new Message.AppendRequest(from, 1, 0, 0, List.of(entry), marker, 0));
    }
}
