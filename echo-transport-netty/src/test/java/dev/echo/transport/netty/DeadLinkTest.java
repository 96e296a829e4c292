package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * A peer link whose packets are dropped, not refused (a partition: the connection stays open, TCP retransmits and
 * backs off), notices within its link timeout that no ping is answered, closes and re-dials; after the heal the new
 * connection carries messages again within the link timeout plus a reconnect. Without the pings such a link stayed
 * cut off for as long as the kernel kept retrying (6.6 s and 38 s were measured on a real cluster).
 */
class DeadLinkTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");
    private static final Duration LINK_TIMEOUT = Duration.ofMillis(400);
    private static final Duration RECONNECT_MAX = Duration.ofMillis(200);

    private final TcpFixture fixture = new TcpFixture(false);
    private NettyTcpTransport a;
    private NettyTcpTransport b;
    private BlackHoleProxy proxy;

    @AfterEach
    void close() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aBlackHoledLinkIsRedialledAndCarriesMessagesSoonAfterTheHeal() throws Exception {
        Inbox atB = new Inbox();
        b = fixture.start(new NettyTcpTransport(fixture.options(B, builder -> builder.linkTimeout(LINK_TIMEOUT))), atB);
        proxy = new BlackHoleProxy(b.localAddress());
        // a reaches b only through the proxy, and is not announced to b: this test is about a's link to b.
        a = new NettyTcpTransport(
                fixture.options(A, builder -> builder.peer(B, new PeerAddress("127.0.0.1", proxy.port()))
                        .linkTimeout(LINK_TIMEOUT)
                        .reconnect(Duration.ofMillis(20), RECONNECT_MAX)));
        a.start(new Inbox());
        sendUntilDelivered(atB, 1, Duration.ofSeconds(10));

        proxy.blackHole();
        long holedAt = System.nanoTime();
        assertTrue(
                Inbox.await(() -> a.metrics().linkTimeouts() >= 1, Duration.ofSeconds(10)),
                "a never noticed its link to b was dead: " + a.metrics());
        long noticedMillis = (System.nanoTime() - holedAt) / 1_000_000;
        assertTrue(
                noticedMillis >= LINK_TIMEOUT.toMillis() - 50,
                "closed a link that was only quiet for " + noticedMillis + " ms");

        proxy.heal();
        long healedAt = System.nanoTime();
        Duration bound = LINK_TIMEOUT
                .plus(RECONNECT_MAX)
                .plus(LINK_TIMEOUT)
                .plus(Duration.ofSeconds(2)); // slack for a loaded CI
        sendUntilDelivered(atB, 2, bound);
        long recoveredMillis = (System.nanoTime() - healedAt) / 1_000_000;
        assertTrue(recoveredMillis <= bound.toMillis(), "recovered only after " + recoveredMillis + " ms");
        assertEquals(
                0,
                b.metrics().authFailures() + b.metrics().decodeErrors(),
                b.metrics().toString());
    }

    /** Sends a marked heartbeat every 20 ms until b has it; fails after {@code within}. */
    private void sendUntilDelivered(Inbox atB, long marker, Duration within) throws InterruptedException {
        Envelope envelope = new Envelope("g", 0, new Message.AppendRequest(A, 1, 0, 0, List.of(), marker, 0));
        long deadline = System.nanoTime() + within.toNanos();
        while (!atB.contains(envelope)) {
            assertTrue(System.nanoTime() < deadline, "message " + marker + " not delivered within " + within);
            a.send(B, envelope);
            Inbox.await(() -> atB.contains(envelope), Duration.ofMillis(20));
        }
    }
}
