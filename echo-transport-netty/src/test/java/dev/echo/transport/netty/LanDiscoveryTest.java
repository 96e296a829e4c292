package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.TransportException;
import dev.echo.testkit.transport.LoopbackMulticast;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PROTOCOL.md §8, "Discovery", on the loopback interface of this machine: members answer under the cluster key, a
 * machine still joining stays silent, strangers find nobody, a replayed question gets no second answer. Skipped where
 * the loopback interface carries no multicast.
 */
@Timeout(30)
class LanDiscoveryTest {
    private static final String INTERFACE = LoopbackMulticast.INTERFACE;
    private static final ClusterKey KEY = ClusterKey.generate();

    private DiscoveryOptions options;

    @BeforeEach
    void multicastOnLoopback() throws Exception {
        Assumptions.assumeTrue(
                LoopbackMulticast.works(), "the loopback interface carries no multicast here: discovery not tested");
        // A group of its own per test: answers of another test's members are not this test's.
        InetAddress group = InetAddress.getByAddress(new byte[] {
            (byte) 239,
            (byte) 255,
            (byte) ThreadLocalRandom.current().nextInt(256),
            (byte) (1 + ThreadLocalRandom.current().nextInt(254))
        });
        options = new DiscoveryOptions(
                "blue",
                KEY,
                new InetSocketAddress(group, Ports.freeUdp()),
                java.util.Optional.of(INTERFACE),
                1,
                Duration.ofSeconds(1));
    }

    @Test
    void membersAreFoundWithTheirAddressesAndAJoiningMachineStaysSilent() throws Exception {
        try (LanDiscovery n1 = answering("n1", "10.0.0.1:7001", true);
                LanDiscovery n2 = answering("n2", "10.0.0.2:7002", true);
                LanDiscovery joining = answering("n4", "10.0.0.4:7004", false)) {
            Map<MemberId, PeerAddress> found = LanDiscovery.find(options, Duration.ofSeconds(10));
            assertEquals(
                    Map.of(
                            MemberId.of("n1"), PeerAddress.parse("10.0.0.1:7001"),
                            MemberId.of("n2"), PeerAddress.parse("10.0.0.2:7002")),
                    found);
            assertEquals(1, n1.questionsAnswered());
            assertEquals(1, n2.questionsAnswered());
            assertEquals(0, joining.questionsAnswered());
        }
    }

    @Test
    void anotherKeyOrClusterFindsNobodyAndIsToldWhere() throws Exception {
        try (LanDiscovery n1 = answering("n1", "10.0.0.1:7001", true)) {
            DiscoveryOptions otherKey = new DiscoveryOptions(
                    "blue",
                    ClusterKey.generate(),
                    options.group(),
                    options.networkInterface(),
                    1,
                    Duration.ofMillis(100));
            TransportException nobody =
                    assertThrows(TransportException.class, () -> LanDiscovery.find(otherKey, Duration.ofMillis(300)));
            assertEquals(TransportException.Reason.PEER_UNREACHABLE, nobody.reason());
            String group =
                    options.group().getHostString() + ":" + options.group().getPort();
            assertTrue(nobody.getMessage().contains("answered on " + group + " via lo"), nobody.getMessage());
            DiscoveryOptions otherCluster = new DiscoveryOptions(
                    "green", KEY, options.group(), options.networkInterface(), 1, Duration.ofMillis(100));
            assertThrows(TransportException.class, () -> LanDiscovery.find(otherCluster, Duration.ofMillis(300)));
            assertEquals(0, n1.questionsAnswered());
            assertTrue(n1.datagramsRejected() >= 2, "the strangers' questions were seen and ignored");
        }
    }

    @Test
    void aReplayedQuestionGetsNoSecondAnswer() throws Exception {
        try (LanDiscovery n1 = answering("n1", "10.0.0.1:7001", true);
                MulticastSocket asker = new MulticastSocket(0)) {
            asker.setNetworkInterface(NetworkInterface.getByName(INTERFACE));
            DiscoveryDatagrams datagrams = new DiscoveryDatagrams("blue", KEY);
            byte[] first = ClusterKeyAuth.nonce();
            byte[] question = datagrams.question(first);
            byte[] fresh = ClusterKeyAuth.nonce();
            for (byte[] datagram : new byte[][] {question, question, datagrams.question(fresh)}) {
                asker.send(new DatagramPacket(datagram, datagram.length, options.group()));
            }
            // The member reads its socket in order: the answer to the fresh question comes after whatever the
            // replay got.
            assertArrayEquals(first, receiveAnswer(asker, datagrams).nonce());
            assertArrayEquals(fresh, receiveAnswer(asker, datagrams).nonce(), "the replay was answered");
            assertEquals(2, n1.questionsAnswered());
            assertEquals(1, n1.datagramsRejected());
        }
    }

    @Test
    void anInterfaceThatDoesNotExistIsATypedError() {
        DiscoveryOptions nowhere = options.onInterface("no-such-if0");
        TransportException listening = assertThrows(
                TransportException.class,
                () -> LanDiscovery.answer(nowhere, MemberId.of("n1"), PeerAddress.parse("10.0.0.1:7001"), () -> true));
        assertEquals(TransportException.Reason.BIND_FAILED, listening.reason());
        assertTrue(listening.getMessage().contains("no-such-if0"), listening.getMessage());
        TransportException asking =
                assertThrows(TransportException.class, () -> LanDiscovery.find(nowhere, Duration.ofSeconds(1)));
        assertEquals(TransportException.Reason.BIND_FAILED, asking.reason());
    }

    @Test
    void aGroupThatIsNotMulticastIsRefused() {
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class,
                () -> DiscoveryOptions.of("blue", KEY, new InetSocketAddress("10.0.0.1", 7799)));
        assertTrue(refused.getMessage().contains("multicast"), refused.getMessage());
    }

    private LanDiscovery answering(String id, String address, boolean member) throws TransportException {
        return LanDiscovery.answer(options, MemberId.of(id), PeerAddress.parse(address), () -> member);
    }

    private static DiscoveryDatagrams.Announcement receiveAnswer(MulticastSocket asker, DiscoveryDatagrams datagrams)
            throws Exception {
        byte[] buffer = new byte[DiscoveryDatagrams.MAX_BYTES + 1];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        asker.setSoTimeout(10_000);
        asker.receive(packet);
        return assertInstanceOf(DiscoveryDatagrams.Announcement.class, datagrams.read(buffer, packet.getLength()));
    }
}
