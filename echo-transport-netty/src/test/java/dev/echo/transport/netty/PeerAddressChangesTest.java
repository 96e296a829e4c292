package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.Envelope;
import dev.echo.core.protocol.Message;
import dev.echo.testkit.transport.Inbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers learnt from configurations (PROTOCOL.md §8): a transport reaches a peer it was not started with once told its
 * address, follows it to a new address (the old link is closed, not kept dialling the old one), and drops what is
 * sent to a peer it was told to forget.
 */
class PeerAddressChangesTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");

    private final TcpFixture fixture = new TcpFixture(false);
    private NettyTcpTransport a;
    private NettyTcpTransport b;

    @AfterEach
    void close() {
        for (NettyTcpTransport transport : new NettyTcpTransport[] {a, b}) {
            if (transport != null) {
                transport.close();
            }
        }
    }

    @Test
    void aPeerIsReachedWhereItIsSaidToBeUntilItIsForgotten() throws Exception {
        Inbox atB = new Inbox();
        // Neither is announced to the other: a learns where b is only from updatePeer.
        a = new NettyTcpTransport(fixture.options(A, builder -> builder));
        a.start(new Inbox());
        b = new NettyTcpTransport(fixture.options(B, builder -> builder));
        b.start(atB);
        assertFalse(a.send(B, heartbeat(0)), "an unknown peer's messages are dropped");

        a.updatePeer(B, new PeerAddress("127.0.0.1", b.localAddress().getPort()));
        sendUntilDelivered(atB, 1);

        // b's machine moves to another port: a must dial the new address, not keep re-dialling the old one.
        b.close();
        Inbox atMovedB = new Inbox();
        b = new NettyTcpTransport(fixture.options(B, builder -> builder));
        b.start(atMovedB);
        a.updatePeer(B, new PeerAddress("127.0.0.1", b.localAddress().getPort()));
        sendUntilDelivered(atMovedB, 2);

        a.forgetPeer(B);
        long droppedBefore = a.metrics().dropped();
        assertFalse(a.send(B, heartbeat(3)), "a forgotten peer's messages are dropped");
        assertTrue(a.metrics().dropped() > droppedBefore, "and counted");
    }

    private static Envelope heartbeat(long marker) {
        return new Envelope("g", 0, new Message.AppendRequest(A, 1, 0, 0, List.of(), marker, 0));
    }

    /** Sends a marked heartbeat every 20 ms until it arrives; fails after 10 s. */
    private void sendUntilDelivered(Inbox inbox, long marker) throws InterruptedException {
        Envelope envelope = heartbeat(marker);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!inbox.contains(envelope)) {
            assertTrue(System.nanoTime() < deadline, "message " + marker + " not delivered within 10 s");
            a.send(B, envelope);
            Inbox.await(() -> inbox.contains(envelope), Duration.ofMillis(20));
        }
    }
}
