package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over a real connection, a client whose request is refused while it is still sending (an oversized value, or garbage
 * after a malformed request) reads the error reply, then the end of the stream: the connection is not reset under it,
 * which would discard the reply before the client reads it (redis-cli then said only "Server closed the connection").
 */
class LastReplyTest {
    private static final int MAX_BULK = 4096;

    private final NioEventLoopGroup loops = new NioEventLoopGroup(1);
    private Channel server;

    @BeforeEach
    void serve() throws InterruptedException {
        server = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // No group: every request here is refused before it would reach one.
                        RespHandler.install(channel.pipeline(), MAX_BULK, new RespHandler(null, false, () -> ""));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS)
                .syncUninterruptibly();
    }

    @Test
    void aValueOverTheLimitIsAnsweredWithTheLimitThenTheStreamEnds() throws IOException {
        int size = 200_000;
        String header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + size + "\r\n";
        byte[] request = (header + "x".repeat(size) + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals("-ERR bulk string of " + size + " bytes exceeds " + MAX_BULK + "\r\n", sendAndReadToEnd(request));
    }

    @Test
    void aMalformedRequestFollowedByMoreIsAnsweredThenTheStreamEnds() throws IOException {
        byte[] request = ("$abc\r\n" + "y".repeat(200_000)).getBytes(StandardCharsets.US_ASCII);
        String reply = sendAndReadToEnd(request);
        assertTrue(reply.startsWith("-ERR Protocol error") && reply.endsWith("\r\n"), reply);
    }

    /** Writes all of {@code request} in one go, then reads until the server ends the stream. */
    private String sendAndReadToEnd(byte[] request) throws IOException {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) (LastReply.DRAIN_MILLIS * 2));
            socket.getOutputStream().write(request);
            socket.shutdownOutput(); // the client is done: the server's drain ends when it sees that
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                reply.write(buffer, 0, read);
            }
            return reply.toString(StandardCharsets.US_ASCII);
        }
    }
}
