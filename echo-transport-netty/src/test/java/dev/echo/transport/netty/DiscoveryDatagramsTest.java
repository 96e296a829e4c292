package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md §8, "Discovery": only this cluster's key-holders can ask or answer, and nothing else is read. */
class DiscoveryDatagramsTest {
    private static final ClusterKey KEY = ClusterKey.generate();
    private final DiscoveryDatagrams datagrams = new DiscoveryDatagrams("blue", KEY);
    private final byte[] nonce = ClusterKeyAuth.nonce();

    @Test
    void aQuestionAndAnAnnouncementReadBackAsWritten() throws Exception {
        byte[] question = datagrams.question(nonce);
        assertArrayEquals(
                nonce,
                assertInstanceOf(DiscoveryDatagrams.Question.class, read(question))
                        .nonce());

        byte[] announcement = datagrams.announcement(nonce, MemberId.of("n2"), PeerAddress.parse("[fd00::2]:7002"));
        DiscoveryDatagrams.Announcement read =
                assertInstanceOf(DiscoveryDatagrams.Announcement.class, read(announcement));
        assertArrayEquals(nonce, read.nonce());
        assertEquals(MemberId.of("n2"), read.member());
        assertEquals(new PeerAddress("fd00::2", 7002), read.address());
    }

    @Test
    void everyFlippedBitIsRejected() {
        byte[] announcement = datagrams.announcement(nonce, MemberId.of("n2"), PeerAddress.parse("10.0.0.2:7002"));
        for (int bit = 0; bit < announcement.length * 8; bit++) {
            byte[] flipped = announcement.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            int at = bit;
            assertThrows(DiscoveryDatagrams.Rejected.class, () -> read(flipped), () -> "bit " + at);
        }
    }

    @Test
    void everyTruncationAndAnOversizedDatagramAreRejected() {
        byte[] question = datagrams.question(nonce);
        for (int length = 0; length < question.length; length++) {
            byte[] cut = Arrays.copyOf(question, length);
            assertThrows(DiscoveryDatagrams.Rejected.class, () -> read(cut), () -> cut.length + " bytes");
        }
        byte[] longer = Arrays.copyOf(question, DiscoveryDatagrams.MAX_BYTES + 1);
        assertThrows(DiscoveryDatagrams.Rejected.class, () -> read(longer));
    }

    @Test
    void anotherKeyOrClusterIsRejectedSayingWhy() {
        DiscoveryDatagrams otherKey = new DiscoveryDatagrams("blue", ClusterKey.generate());
        DiscoveryDatagrams otherCluster = new DiscoveryDatagrams("green", KEY);
        DiscoveryDatagrams.Rejected forged =
                assertThrows(DiscoveryDatagrams.Rejected.class, () -> read(otherKey.question(nonce)));
        assertTrue(forged.getMessage().contains("key"), forged.getMessage());
        DiscoveryDatagrams.Rejected foreign =
                assertThrows(DiscoveryDatagrams.Rejected.class, () -> read(otherCluster.question(nonce)));
        assertTrue(foreign.getMessage().contains("'green'"), foreign.getMessage());
    }

    private DiscoveryDatagrams.Message read(byte[] datagram) throws DiscoveryDatagrams.Rejected {
        byte[] buffer = Arrays.copyOf(datagram, DiscoveryDatagrams.MAX_BYTES + 1);
        return datagrams.read(buffer, datagram.length);
    }
}
