package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.Envelope;
import dev.echo.core.protocol.Message;
import dev.echo.core.transport.Transport;
import dev.echo.testkit.transport.Inbox;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Transport#flushQueued}: a message sent from the transport's own event loop waits for a later task of that
 * loop, unless the sender flushes it. A loop pass that forces its journal on that thread flushes first, so its appends
 * travel during the force (docs/architecture.md, "Threads"). Here the sender's event loop is held by the test's task,
 * so nothing but the flush can write the message.
 */
class FlushQueuedTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");
    private static final byte[] UDP_KEY = "a-test-cluster-key-32-bytes-long".getBytes(StandardCharsets.US_ASCII);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final TcpFixture fixture = new TcpFixture(false);
    private Transport a;
    private Transport b;

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp"})
    void aMessageSentOnTheEventLoopLeavesWhenFlushedNotLater(String kind) throws Exception {
        Inbox atB = new Inbox();
        start(kind, atB);
        deliver(envelope(1), atB); // connected (TCP) and known to each other

        Envelope held = envelope(2);
        Envelope flushed = envelope(3);
        boolean[] outcome = new boolean[2];
        a.ioExecutors()
                .get(0)
                .submit(() -> {
                    a.send(B, held);
                    // The drain task queued behind this one cannot run while it does.
                    outcome[0] = Inbox.await(() -> atB.contains(held), Duration.ofMillis(100));
                    a.send(B, flushed);
                    a.flushQueued();
                    outcome[1] = Inbox.await(() -> atB.contains(flushed), PATIENCE);
                })
                .get(PATIENCE.toSeconds() * 2, TimeUnit.SECONDS);

        assertFalse(outcome[0], "a message sent on the event loop waits for a later task");
        assertTrue(outcome[1], "flushQueued writes it at once, with the event loop still busy");
        assertTrue(Inbox.await(() -> atB.contains(held), PATIENCE), "and the earlier one left with it");
    }

    private void start(String kind, Inbox atB) throws Exception {
        if (kind.equals("tcp")) {
            b = fixture.start(new NettyTcpTransport(fixture.options(B, builder -> builder)), atB);
            NettyTcpTransport tcp = new NettyTcpTransport(fixture.options(A, builder -> builder));
            tcp.start(new Inbox());
            a = tcp;
            return;
        }
        NettyUdpTransport atBUdp = new NettyUdpTransport(
                UdpTransportOptions.builder(B, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UDP_KEY)
                        .build());
        atBUdp.start(atB);
        b = atBUdp;
        NettyUdpTransport udp = new NettyUdpTransport(UdpTransportOptions.builder(
                        A, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UDP_KEY)
                .peer(B, new PeerAddress("127.0.0.1", atBUdp.localAddress().getPort()))
                .build());
        udp.start(new Inbox());
        a = udp;
    }

    private void deliver(Envelope envelope, Inbox at) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!at.contains(envelope)) {
            assertTrue(System.nanoTime() < deadline, "not delivered within " + PATIENCE);
            a.send(B, envelope);
            Inbox.await(() -> at.contains(envelope), Duration.ofMillis(20));
        }
    }

    private static Envelope envelope(long marker) {
        return new Envelope("g", 0, new Message.AppendRequest(A, 1, 0, 0, List.of(), marker, 0));
    }
}
