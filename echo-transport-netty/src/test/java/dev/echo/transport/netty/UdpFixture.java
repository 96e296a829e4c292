package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.Transport;
import dev.echo.testkit.transport.TransportConformance;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;

/** UDP transports for members on loopback ports, sharing one cluster key. Not thread-safe; one per test. */
class UdpFixture implements TransportConformance.Fixture {
    static final byte[] KEY = "a-test-cluster-key-32-bytes-long".getBytes(StandardCharsets.US_ASCII);

    private final MessageCodec codec = new MessageCodec(16 << 10, 64, 60_000);
    private final BoundPorts ports = new BoundPorts();

    UdpFixture(List<String> members) {}

    UdpFixture() {
        this(List.of("a", "b", "c"));
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public Transport create(MemberId member) {
        return ports.transport(
                member,
                port -> new NettyUdpTransport(options(member, KEY, port, UnaryOperator.identity())),
                transport -> ((NettyUdpTransport) transport).localAddress().getPort());
    }

    /** Starts a transport built outside {@link #create} and exchanges addresses with the fixture's others. */
    NettyUdpTransport start(NettyUdpTransport transport, dev.echo.core.transport.TransportListener listener)
            throws dev.echo.core.transport.TransportException {
        transport.start(listener);
        ports.started(transport.self(), transport, transport.localAddress().getPort());
        return transport;
    }

    UdpTransportOptions options(MemberId member, UnaryOperator<UdpTransportOptions.Builder> adjust) {
        return options(member, KEY, adjust);
    }

    UdpTransportOptions options(MemberId member, byte[] key, UnaryOperator<UdpTransportOptions.Builder> adjust) {
        return options(member, key, 0, adjust);
    }

    private UdpTransportOptions options(
            MemberId member, byte[] key, int port, UnaryOperator<UdpTransportOptions.Builder> adjust) {
        UdpTransportOptions.Builder builder = UdpTransportOptions.builder(
                        member, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), key)
                .codec(codec);
        ports.known().forEach((peer, peerPort) -> {
            if (!peer.equals(member)) {
                builder.peer(peer, new PeerAddress("127.0.0.1", peerPort));
            }
        });
        return adjust.apply(builder).build();
    }

    int port(MemberId member) {
        return ports.portOf(member);
    }

    @Override
    public void injectGarbage(MemberId target, byte[] bytes) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(
                    new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), ports.portOf(target)));
        }
    }

    @Override
    public int queueBound() {
        return -1; // datagrams to a down peer are handed to the network and lost there
    }
}
