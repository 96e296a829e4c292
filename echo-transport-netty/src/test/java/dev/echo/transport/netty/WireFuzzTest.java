package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for what a stranger can send before authenticating (PROTOCOL.md §10): the TCP handshake, fed to the
 * accepting side's real pipeline (frame decoder and handshake handler) in arbitrary pieces, and UDP datagrams, which
 * must fail their MAC and, parsed regardless, decode or be refused with a typed error. No exception may reach the end
 * of the pipeline, and nothing but a typed {@link CodecException} may leave a decoder. Replays its regression inputs
 * under {@code ./mvnw test}; docs/testing.md says how to fuzz.
 */
class WireFuzzTest {
    private static final MessageCodec CODEC = new MessageCodec(4096, 64, 64 * 1024);
    private static final byte[] KEY = "a-test-cluster-key-32-bytes-long".getBytes(StandardCharsets.US_ASCII);
    private static final DiscoveryDatagrams DISCOVERY = new DiscoveryDatagrams("fuzz", ClusterKey.of(KEY));
    private static final NettyTcpTransport SERVER = new NettyTcpTransport(TcpTransportOptions.builder(
                    MemberId.of("a"), "fuzz", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .codec(CODEC)
            .clusterKey(ClusterKey.of(KEY))
            .build());

    @FuzzTest(maxDuration = "10m")
    void tcpHandshake(FuzzedDataProvider data) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline()
                .addLast("frames", new FrameDecoder(SERVER.counters()))
                .addLast("handshake", new ServerHandshakeHandler(SERVER));
        while (data.remainingBytes() > 0 && channel.isOpen()) {
            byte[] piece = data.consumeBytes(1 + data.consumeInt(0, 600));
            channel.writeInbound(Unpooled.wrappedBuffer(piece));
        }
        channel.checkException(); // nothing reached the end of the pipeline
        channel.finishAndReleaseAll();
    }

    @FuzzTest(maxDuration = "10m")
    void handshakeFrames(byte[] bytes) {
        try {
            Handshake.read(Unpooled.wrappedBuffer(bytes));
        } catch (CodecException refused) {
            // typed: the expected answer to garbage
        }
    }

    @FuzzTest(maxDuration = "10m")
    void udpDatagrams(byte[] bytes) {
        Datagrams datagrams = new Datagrams(KEY);
        assertFalse(datagrams.authentic(Unpooled.wrappedBuffer(bytes)), "a forged datagram passed the MAC");
        try {
            Datagrams.parse(Unpooled.wrappedBuffer(bytes), CODEC);
        } catch (CodecException refused) {
            // typed: the expected answer to garbage
        }
        try {
            Datagrams.parseIdentity(Unpooled.wrappedBuffer(bytes)); // a seed's question or answer (PROTOCOL.md §8)
        } catch (CodecException refused) {
            // typed, likewise
        }
    }

    /**
     * A LAN discovery datagram (PROTOCOL.md §8, "Discovery"), which anyone on the LAN can send: read under {@code KEY}
     * (the key its seed inputs are tagged with, so tagged mutations reach every branch), it is a message or a typed
     * {@code Rejected}, nothing else.
     */
    @FuzzTest(maxDuration = "10m")
    void discoveryDatagrams(byte[] bytes) {
        byte[] buffer = java.util.Arrays.copyOf(bytes, Math.max(bytes.length, DiscoveryDatagrams.MAX_BYTES + 1));
        try {
            DISCOVERY.read(buffer, bytes.length);
        } catch (DiscoveryDatagrams.Rejected refused) {
            // typed: the expected answer to garbage
        }
    }
}
