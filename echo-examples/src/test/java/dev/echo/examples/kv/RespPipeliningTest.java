package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelined requests over a real connection are answered in request order, whatever order their outcomes arrive in:
 * errors answered at once wait behind reads still in flight, and a bulk reply's pieces are never split by another
 * reply. The group runs on the test thread (invoker mode), so the reads complete only when it is driven.
 */
class RespPipeliningTest {
    @TempDir
    Path data;

    @Test
    void pipelinedRepliesComeBackInRequestOrder() throws Exception {
        MemberId self = MemberId.of("n1");
        EchoNode node = EchoNode.builder(self)
                .transport(new InMemoryNetwork().transport(self))
                .journal(FileJournal.open(
                        JournalOptions.builder(data, "pipelining", "n1").build()))
                .tick(Duration.ofMillis(1))
                .invoker(true)
                .build()
                .start();
        NioEventLoopGroup loops = new NioEventLoopGroup(1);
        try {
            ReplicatedGroup group =
                    node.join("kv", GroupOptions.builder().voter(self).build(), new KvStore(), new GroupListener() {});
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!group.status().hasQuorum()) { // the lone member elects itself as the group is driven
                assertTrue(System.nanoTime() < deadline, "no leader within 30 s");
                if (!node.runPending()) {
                    LockSupport.parkNanos(1_000_000); // the next tick is due in 1 ms
                }
            }
            Channel server = new ServerBootstrap()
                    .group(loops)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            RespHandler.install(channel.pipeline(), 4096, new RespHandler(group, true, () -> ""));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .sync()
                    .channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("SET k 40\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("+OK\r\n", readUntil(node, socket, "+OK\r\n".length()));
                String request = "FOO\r\nGET k\r\nBAR\r\nGET k\r\nPING 7\r\n";
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                String expected = "-ERR unknown command 'FOO'\r\n$2\r\n40\r\n-ERR unknown command 'BAR'\r\n$2\r\n40\r\n"
                        + "$1\r\n7\r\n";
                assertEquals(expected, readUntil(node, socket, expected.length()));

                // Writes and reads of one burst reach the group as its event loop's pass hands them over: a read
                // still sees every write its client sent before it.
                String burst = "SET a 1\r\nSET a 2\r\nGET a\r\nINCR c\r\nGET c\r\nSET a 3\r\nMGET a c\r\n";
                socket.getOutputStream().write(burst.getBytes(StandardCharsets.US_ASCII));
                String answers = "+OK\r\n+OK\r\n$1\r\n2\r\n:1\r\n$1\r\n1\r\n+OK\r\n*2\r\n$1\r\n3\r\n$1\r\n1\r\n";
                assertEquals(answers, readUntil(node, socket, answers.length()));
            }
            server.close().sync();
        } finally {
            loops.shutdownGracefully().sync();
            node.close();
        }
    }

    /** Drives the group and reads until {@code length} bytes have come back (within 30 s). */
    private static String readUntil(EchoNode node, Socket socket, int length) throws Exception {
        socket.setSoTimeout(5);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got.size() < length && System.nanoTime() < deadline) {
            node.runPending(); // elects the lone member, applies, completes the reads
            try {
                int read = in.read(buffer);
                if (read > 0) {
                    got.write(buffer, 0, read);
                }
            } catch (SocketTimeoutException nothingYet) {
                // drive the group again
            }
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
