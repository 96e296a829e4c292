package dev.echo.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline for {@link TransportBenchmark}: the least a Netty program must do to move fixed-size messages between
 * two sockets on loopback. TCP: length-prefixed frames written on the event loop with one flush per batch, split by
 * Netty's frame decoder and counted. UDP: one datagram per message, counted. No encoding, no authentication, no
 * queues: what Echo's transports add on top of this is their cost.
 *
 * <p>Thread-safe for one benchmark thread calling {@link #sendBatch}.
 */
final class BareNettyLink implements AutoCloseable {
    private final EventLoopGroup senderLoop = new NioEventLoopGroup(1);
    private final EventLoopGroup receiverLoop = new NioEventLoopGroup(1);
    private final int size;
    private final boolean datagrams;
    private final InetSocketAddress target;
    private Channel receiver;
    private Channel sender;

    private BareNettyLink(int port, int size, boolean datagrams) {
        this.size = size;
        this.datagrams = datagrams;
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    static BareNettyLink tcp(int port, int size, AtomicLong received) {
        BareNettyLink link = new BareNettyLink(port, size, false);
        link.receiver = new ServerBootstrap()
                .group(link.receiverLoop)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object frame) {
                                        ((ByteBuf) frame).release();
                                        received.incrementAndGet();
                                    }
                                });
                    }
                })
                .bind(link.target)
                .syncUninterruptibly()
                .channel();
        link.sender = new Bootstrap()
                .group(link.senderLoop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(link.target)
                .syncUninterruptibly()
                .channel();
        return link;
    }

    static BareNettyLink udp(int port, int size, AtomicLong received) {
        BareNettyLink link = new BareNettyLink(port, size, true);
        link.receiver = new Bootstrap()
                .group(link.receiverLoop)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        received.incrementAndGet();
                    }
                })
                .bind(link.target)
                .syncUninterruptibly()
                .channel();
        link.sender = new Bootstrap()
                .group(link.senderLoop)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
        return link;
    }

    /** Writes {@code count} messages on the sender's event loop and flushes once. */
    void sendBatch(int count) {
        sender.eventLoop().execute(() -> {
            for (int i = 0; i < count; i++) {
                if (datagrams) {
                    ByteBuf payload = sender.alloc().buffer(size).writeZero(size);
                    sender.write(new DatagramPacket(payload, target), sender.voidPromise());
                } else {
                    ByteBuf frame =
                            sender.alloc().buffer(4 + size).writeInt(size).writeZero(size);
                    sender.write(frame, sender.voidPromise());
                }
            }
            sender.flush();
        });
    }

    @Override
    public void close() {
        sender.close().syncUninterruptibly();
        receiver.close().syncUninterruptibly();
        senderLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        receiverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
