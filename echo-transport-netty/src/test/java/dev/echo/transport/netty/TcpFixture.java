package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import dev.echo.testkit.transport.TransportConformance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * TCP transports for members a, b, c (and more) on loopback ports, plain or TLS. Not thread-safe; one per test.
 */
class TcpFixture implements TransportConformance.Fixture {
    static final int QUEUE_MESSAGES = 1000;
    static final String CLUSTER = "conformance";

    private final MessageCodec codec = new MessageCodec(64 << 10, 64, 1 << 20);
    /** The key every member of a plain-TCP fixture shares (PROTOCOL.md §10: authenticated by default). */
    static final ClusterKey KEY = ClusterKey.of("a-test-cluster-key-32-bytes-long".getBytes(StandardCharsets.US_ASCII));

    private final BoundPorts ports = new BoundPorts();
    private final boolean tls;

    TcpFixture(boolean tls, List<String> members) {
        this.tls = tls;
    }

    TcpFixture(boolean tls) {
        this(tls, List.of("a", "b", "c"));
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public Transport create(MemberId member) {
        return ports.transport(
                member,
                port -> new NettyTcpTransport(options(member, port, UnaryOperator.identity())),
                transport -> ((NettyTcpTransport) transport).localAddress().getPort());
    }

    /**
     * Starts a transport built outside {@link #create} (for security tests: wrong cluster, rogue keys) and tells it
     * and the fixture's other transports where each listens.
     */
    NettyTcpTransport start(NettyTcpTransport transport, dev.echo.core.transport.TransportListener listener)
            throws TransportException {
        transport.start(listener);
        ports.started(transport.self(), transport, transport.localAddress().getPort());
        return transport;
    }

    /** Options for {@code member}, adjusted by {@code adjust} (for security tests: wrong cluster, rogue keys). */
    TcpTransportOptions options(MemberId member, UnaryOperator<TcpTransportOptions.Builder> adjust) {
        return options(member, 0, adjust);
    }

    private TcpTransportOptions options(MemberId member, int port, UnaryOperator<TcpTransportOptions.Builder> adjust) {
        TcpTransportOptions.Builder builder = TcpTransportOptions.builder(
                        member, CLUSTER, new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .codec(codec)
                .queue(QUEUE_MESSAGES, 16 << 20)
                .reconnect(Duration.ofMillis(10), Duration.ofMillis(200));
        ports.known().forEach((peer, peerPort) -> {
            if (!peer.equals(member)) {
                builder.peer(peer, new PeerAddress("127.0.0.1", peerPort));
            }
        });
        if (tls) {
            try {
                builder.tls(TestPki.get().credentials(member.value()));
            } catch (TransportException unreadable) {
                throw new IllegalStateException(unreadable);
            }
        } else {
            builder.clusterKey(KEY);
        }
        return adjust.apply(builder).build();
    }

    /** {@code options} for a member of the cluster {@code clusterId} instead. */
    static TcpTransportOptions inCluster(TcpTransportOptions options, String clusterId) {
        return new TcpTransportOptions(
                options.self(),
                options.incarnation(),
                clusterId,
                options.bind(),
                options.peers(),
                options.codec(),
                options.queueMessages(),
                options.queueBytes(),
                options.connectTimeout(),
                options.reconnectMin(),
                options.reconnectMax(),
                options.handshakeTimeout(),
                options.tls(),
                options.requireNameMatch(),
                options.ioThreads(),
                options.clusterKey(),
                options.unauthenticated(),
                options.linkTimeout());
    }

    @Override
    public void injectGarbage(MemberId target, byte[] bytes) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ports.portOf(target))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            // Wait for the peer to close the connection on us: that is the expected answer to garbage.
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[1024];
            try {
                while (in.read(sink) >= 0) {
                    // discard whatever it says before closing
                }
            } catch (SocketTimeoutException | java.net.SocketException closedOrSilent) {
                // Closed by a reset, or kept open waiting for more bytes: either way the bytes were refused.
            }
        }
    }

    @Override
    public int queueBound() {
        return QUEUE_MESSAGES;
    }
}
