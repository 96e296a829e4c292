package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.PeerState;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportCounters;
import dev.echo.core.transport.TransportException;
import dev.echo.core.transport.TransportListener;
import dev.echo.core.transport.TransportMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo over TCP (PROTOCOL.md §10): one send-only connection to each peer and one accepted connection from each,
 * length-prefixed frames, a handshake that checks wire version, cluster id and member identity before any message is
 * read, peers authenticated by TLS 1.3 with mutual authentication or by a cluster key (which also tags every frame),
 * reconnection with backoff, links re-dialled when pings go unanswered, a bounded queue per peer and one flush per
 * batch of queued messages.
 *
 * <p>Threading: thread-safe. {@link #send} encodes on the caller's thread and never blocks; Netty event loop threads
 * do all I/O, decode frames and call the listener; they never run protocol code. {@link #start} and {@link #close}
 * block while binding and releasing.
 */
public final class NettyTcpTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTcpTransport.class);
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);

    private final TcpTransportOptions options;
    private final TransportCounters counters = new TransportCounters();
    private final ConcurrentMap<MemberId, PeerAddress> addresses;
    private final ConcurrentMap<MemberId, PeerLink> links = new ConcurrentHashMap<>();
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    /** The cluster key's handshake and frame tags, or null without a key. */
    private final ClusterKeyAuth keyAuth;
    /** Bytes each frame carries after its message: a key-bound connection's tag. */
    private final int trailerBytes;

    private volatile TransportListener listener;
    private volatile boolean closed;
    private EventLoopGroup loops;
    private Channel server;
    private Bootstrap clientBootstrap;

    /** Creates a transport; nothing is bound until {@link #start}. */
    public NettyTcpTransport(TcpTransportOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.addresses = new ConcurrentHashMap<>(options.peers());
        this.keyAuth = options.clusterKey()
                .map(key -> new ClusterKeyAuth(key.toBytes()))
                .orElse(null);
        this.trailerBytes = keyAuth == null ? 0 : FrameSealer.TAG_BYTES;
    }

    /** The event loops: the node runs its group loops on them, so a frame read is stepped where it was read. */
    @Override
    public synchronized List<ScheduledExecutorService> ioExecutors() {
        if (loops == null) {
            return List.of();
        }
        List<ScheduledExecutorService> executors = new ArrayList<>();
        loops.forEach(executors::add);
        return List.copyOf(executors);
    }

    @Override
    public MemberId self() {
        return options.self();
    }

    @Override
    public synchronized void start(TransportListener receiver) throws TransportException {
        Objects.requireNonNull(receiver, "listener");
        if (closed || listener != null) {
            throw new TransportException(TransportException.Reason.ILLEGAL_STATE, "already started or closed", null);
        }
        listener = receiver;
        loops = new NioEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("echo-tcp-" + self(), true));
        clientBootstrap = new Bootstrap()
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        options.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        try {
            server = new ServerBootstrap()
                    .group(loops)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            options.tls().ifPresent(tls -> channel.pipeline()
                                    .addLast("tls", tls.server().newHandler(channel.alloc())));
                            channel.pipeline().addLast("frames", new FrameDecoder(counters));
                            channel.pipeline().addLast("handshake", new ServerHandshakeHandler(NettyTcpTransport.this));
                        }
                    })
                    .bind(options.bind())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception bindFailure) { // Netty rethrows a checked BindException undeclared
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            closed = true;
            throw new TransportException(
                    TransportException.Reason.BIND_FAILED, "cannot listen on " + options.bind(), bindFailure);
        }
        LOG.info("{} listening on {} ({})", self(), server.localAddress(), security());
        if (!options.authenticatesPeers()) {
            LOG.warn(
                    "{}: plain TCP WITHOUT AUTHENTICATION (allowUnauthenticated): anyone who can reach {} and knows the"
                            + " cluster id can connect as a member. Use TLS or a cluster key (PROTOCOL.md §10).",
                    self(),
                    server.localAddress());
        }
        for (MemberId peer : addresses.keySet()) {
            link(peer).ensureConnected();
        }
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public boolean send(MemberId to, Envelope envelope) {
        if (closed || listener == null || !addresses.containsKey(to)) {
            counters.dropped();
            return false;
        }
        ByteBuf frame = Frames.envelope(alloc, options.codec(), envelope, trailerBytes);
        if (frame == null || !link(to).enqueue(frame)) {
            counters.dropped();
            return false;
        }
        return true;
    }

    @Override
    public void flushQueued() {
        for (PeerLink link : links.values()) {
            link.drainIfQueuedHere();
        }
    }

    @Override
    public void updatePeer(MemberId member, PeerAddress address) {
        if (member.equals(self())) {
            return;
        }
        PeerAddress before = addresses.put(member, Objects.requireNonNull(address, "address"));
        if (before != null && !before.equals(address)) {
            closeLink(member); // the machine moved: dial the new address, not the old one
        }
        if (listener != null && !closed) {
            link(member).ensureConnected();
        }
    }

    /** A one-off connection whose handshake asks the peer at {@code address} who it is ({@link IdentifyHandler}). */
    @Override
    public CompletableFuture<MemberId> identify(PeerAddress address) {
        Objects.requireNonNull(address, "address");
        CompletableFuture<MemberId> identified = new CompletableFuture<>();
        Bootstrap bootstrap;
        synchronized (this) {
            if (closed || listener == null) {
                return CompletableFuture.failedFuture(new TransportException(
                        TransportException.Reason.ILLEGAL_STATE, "identify needs a started, open transport", null));
            }
            bootstrap = clientBootstrap.clone(loops.next());
        }
        ChannelFuture attempt = bootstrap
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        options.tls().ifPresent(tls -> channel.pipeline()
                                .addLast(
                                        "tls",
                                        tls.client().newHandler(channel.alloc(), address.host(), address.port())));
                        channel.pipeline().addLast("frames", new FrameDecoder(counters));
                        channel.pipeline()
                                .addLast("identify", new IdentifyHandler(NettyTcpTransport.this, address, identified));
                    }
                })
                .connect(address.host(), address.port());
        attempt.addListener(connected -> {
            if (!connected.isSuccess()) {
                attempt.channel().close();
                identified.completeExceptionally(new TransportException(
                        TransportException.Reason.PEER_UNREACHABLE,
                        "seed " + address + ": " + connected.cause(),
                        connected.cause()));
            }
        });
        return identified;
    }

    @Override
    public PeerState peerState(MemberId member) {
        PeerLink link = links.get(member);
        return link == null ? PeerState.UNKNOWN : link.state();
    }

    @Override
    public void forgetPeer(MemberId member) {
        addresses.remove(member);
        closeLink(member);
    }

    private void closeLink(MemberId member) {
        PeerLink link = links.remove(member);
        if (link != null) {
            link.close();
        }
    }

    /** Peers are authenticated unless this transport was built with {@code allowUnauthenticated()}. */
    @Override
    public boolean authenticatesPeers() {
        return options.authenticatesPeers();
    }

    @Override
    public MessageCodec codec() {
        return options.codec();
    }

    @Override
    public TransportMetrics metrics() {
        return counters.snapshot();
    }

    @Override
    public synchronized void close() {
        if (closed && loops == null) {
            return;
        }
        closed = true;
        links.values().forEach(PeerLink::close);
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        accepted.close().awaitUninterruptibly();
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            loops = null;
        }
    }

    private String security() {
        String tls = options.tls().isPresent() ? "TLS" : "";
        String key = keyAuth != null ? "cluster key" : "";
        String both = String.join(
                " and ",
                java.util.stream.Stream.of(tls, key).filter(s -> !s.isEmpty()).toList());
        return both.isEmpty() ? "unauthenticated" : both;
    }

    /** The cluster key's handshake and tags, or null when this transport has no key. */
    ClusterKeyAuth keyAuth() {
        return keyAuth;
    }

    TcpTransportOptions options() {
        return options;
    }

    TransportCounters counters() {
        return counters;
    }

    PeerAddress addressOf(MemberId member) {
        return addresses.get(member);
    }

    /** The pipeline of an outbound connection to {@code link}'s peer at {@code address}. */
    void initOutbound(SocketChannel channel, PeerLink link, PeerAddress address) {
        options.tls().ifPresent(tls -> channel.pipeline()
                .addLast("tls", tls.client().newHandler(channel.alloc(), address.host(), address.port())));
        channel.pipeline().addLast("frames", new FrameDecoder(counters));
        channel.pipeline().addLast("handshake", new ClientHandshakeHandler(this, link));
    }

    void inboundAccepted(Channel channel) {
        accepted.add(channel);
    }

    void deliver(Envelope envelope) {
        counters.delivered();
        try {
            listener.received(envelope);
        } catch (RuntimeException listenerBug) {
            LOG.error("Transport listener failed on a message from {}", envelope.from(), listenerBug);
        }
    }

    private PeerLink link(MemberId peer) {
        return links.computeIfAbsent(peer, id -> new PeerLink(this, id, loops.next(), clientBootstrap));
    }
}
