package dev.echo.bench;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Message;
import dev.echo.core.transport.Transport;
import dev.echo.transport.netty.ClusterKey;
import dev.echo.transport.netty.NettyTcpTransport;
import dev.echo.transport.netty.NettyUdpTransport;
import dev.echo.transport.netty.TcpTransportOptions;
import dev.echo.transport.netty.UdpTransportOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Messages/s of 128-byte protocol messages (an AppendRequest carrying one command, encoded size exactly 128 bytes)
 * from one member to another on loopback, through Echo's transports, beside a bare Netty pipeline moving 128-byte
 * frames the same way ({@link BareNettyLink}) in the same run. Each invocation sends a batch of {@value #BATCH}
 * messages and waits until the receiver has counted them: throughput with batching, the way a leader replicates.
 *
 * <p>UDP may lose datagrams under load; a batch that does not fully arrive within {@value #LOSS_WAIT_MILLIS} ms is
 * counted as lost (printed at tear-down) and the benchmark moves on, so loss shows as lower throughput.
 *
 * <p>Run: {@code bin/echo-bench jmh TransportBenchmark}.
 *
 * <p>JMH state of scope {@code Benchmark}, for one measuring thread; each invocation blocks until its batch arrived or the loss wait ends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TransportBenchmark {
    static final int BATCH = 1000;
    static final int MESSAGE_BYTES = 128;
    static final long LOSS_WAIT_MILLIS = 200;
    private static final MemberId SENDER = MemberId.of("a");
    private static final MemberId RECEIVER = MemberId.of("b");

    /** Echo's TCP or UDP transport, or the bare Netty baseline of the same protocol. */
    @Param({"echo-tcp", "bare-tcp", "echo-udp", "bare-udp"})
    public String link;

    private final AtomicLong received = new AtomicLong();
    private long expected;
    private long lost;
    private Transport sender;
    private Transport receiver;
    private BareNettyLink bare;
    private Envelope message;

    @Setup(Level.Trial)
    public void start() throws Exception {
        MessageCodec codec = new MessageCodec(4096, 64, 60_000);
        message = messageOf(codec, MESSAGE_BYTES);
        int senderPort = freePort();
        int receiverPort = freePort();
        switch (link) {
            case "echo-tcp":
                sender = new NettyTcpTransport(tcp(SENDER, senderPort, RECEIVER, receiverPort, codec));
                receiver = new NettyTcpTransport(tcp(RECEIVER, receiverPort, SENDER, senderPort, codec));
                break;
            case "echo-udp":
                sender = new NettyUdpTransport(udp(SENDER, senderPort, RECEIVER, receiverPort, codec));
                receiver = new NettyUdpTransport(udp(RECEIVER, receiverPort, SENDER, senderPort, codec));
                break;
            case "bare-tcp":
                bare = BareNettyLink.tcp(receiverPort, MESSAGE_BYTES, received);
                return;
            case "bare-udp":
                bare = BareNettyLink.udp(receiverPort, MESSAGE_BYTES, received);
                return;
            default:
                throw new IllegalArgumentException(link);
        }
        receiver.start(envelope -> received.incrementAndGet());
        sender.start(envelope -> {});
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (lost > 0) {
            System.out.printf("%n%s: %d of %d messages lost%n", link, lost, expected);
        }
        if (bare != null) {
            bare.close();
        } else {
            sender.close();
            receiver.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sendBatch() {
        if (bare != null) {
            bare.sendBatch(BATCH);
        } else {
            for (int i = 0; i < BATCH; i++) {
                sender.send(RECEIVER, message);
            }
        }
        expected += BATCH;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOSS_WAIT_MILLIS);
        while (received.get() < expected) {
            if (System.nanoTime() > deadline) {
                lost += expected - received.get();
                expected = received.get();
                return;
            }
            LockSupport.parkNanos(2_000);
        }
    }

    private static TcpTransportOptions tcp(MemberId self, int port, MemberId peer, int peerPort, MessageCodec codec) {
        return TcpTransportOptions.builder(self, "bench", new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .codec(codec)
                .peer(peer, new PeerAddress("127.0.0.1", peerPort))
                .clusterKey(ClusterKey.of("benchmark-cluster-key-32-bytes!!".getBytes(StandardCharsets.US_ASCII)))
                .build();
    }

    private static UdpTransportOptions udp(MemberId self, int port, MemberId peer, int peerPort, MessageCodec codec) {
        byte[] key = "benchmark-cluster-key-32-bytes!!".getBytes(StandardCharsets.US_ASCII);
        return UdpTransportOptions.builder(self, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), key)
                .codec(codec)
                .peer(peer, new PeerAddress("127.0.0.1", peerPort))
                .build();
    }

    /** An AppendRequest with one command whose whole encoding is {@code size} bytes. */
    static Envelope messageOf(MessageCodec codec, int size) {
        Envelope empty = append(0);
        return append(size - codec.encodedSize(empty));
    }

    private static Envelope append(int commandBytes) {
        Entry entry = new Entry(1, 1, new Entry.Command(1, 1, 0, new byte[commandBytes]));
        return new Envelope("bench", 0, new Message.AppendRequest(SENDER, 1, 0, 0, List.of(entry), 0, 0));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
