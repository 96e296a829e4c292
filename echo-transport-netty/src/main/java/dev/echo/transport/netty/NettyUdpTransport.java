package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportCounters;
import dev.echo.core.transport.TransportException;
import dev.echo.core.transport.TransportListener;
import dev.echo.core.transport.TransportMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo over UDP (PROTOCOL.md §10): one datagram per message, each authenticated with HMAC-SHA256 under the cluster
 * key and checked against a replay window before it is decoded and delivered. Messages larger than
 * {@link #maxMessageBytes()} are dropped and counted; the runtime keeps batches and snapshot chunks below it.
 *
 * <p>Threading: thread-safe. {@link #send} encodes and seals on the caller's thread and never blocks; one Netty
 * event loop writes (one flush per batch of queued datagrams), authenticates, decodes and calls the listener; it never
 * runs protocol code. {@link #start} and {@link #close} block while binding and releasing.
 */
public final class NettyUdpTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyUdpTransport.class);

    private final UdpTransportOptions options;
    private final TransportCounters counters = new TransportCounters();
    private final ConcurrentMap<MemberId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private final OutboundQueue<DatagramPacket> queue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicLong sequence = new AtomicLong();
    private final ThreadLocal<Datagrams> sealers;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    /** Orders this life of the member after its earlier ones for the receivers' replay windows. */
    private final long boot = System.currentTimeMillis();

    /** How long {@link #identify} waits for an answer. */
    static final Duration IDENTIFY_TIMEOUT = Duration.ofSeconds(2);

    private static final SecureRandom NONCES = new SecureRandom();
    /** Questions sent by {@link #identify}, by their nonce in hex, until answered or timed out. */
    private final ConcurrentMap<String, CompletableFuture<MemberId>> asked = new ConcurrentHashMap<>();

    private volatile TransportListener listener;
    private volatile boolean closed;
    private EventLoopGroup loops;
    private Channel channel;

    /** Creates a transport; nothing is bound until {@link #start}. */
    public NettyUdpTransport(UdpTransportOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.queue = new OutboundQueue<>(options.queueMessages(), options.queueBytes());
        byte[] key = options.clusterKey();
        this.sealers = ThreadLocal.withInitial(() -> new Datagrams(key));
        options.peers().forEach(this::updatePeer);
    }

    @Override
    public MemberId self() {
        return options.self();
    }

    /** The one event loop: the node runs its group loops on it, so a datagram read is stepped where it was read. */
    @Override
    public synchronized List<ScheduledExecutorService> ioExecutors() {
        return channel == null || closed ? List.of() : List.of(channel.eventLoop());
    }

    @Override
    public synchronized void start(TransportListener receiver) throws TransportException {
        Objects.requireNonNull(receiver, "listener");
        if (closed || listener != null) {
            throw new TransportException(TransportException.Reason.ILLEGAL_STATE, "already started or closed", null);
        }
        listener = receiver;
        loops = new NioEventLoopGroup(1, new DefaultThreadFactory("echo-udp-" + self(), true));
        int largest = options.codec().maxMessageBytes() + Datagrams.OVERHEAD;
        try {
            channel = new Bootstrap()
                    .group(loops)
                    .channel(NioDatagramChannel.class)
                    // One byte more than the largest valid datagram, so an oversized one is seen as such, not cut.
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(largest + 1))
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new Inbound(options.clusterKey(), largest))
                    .bind(options.bind())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception bindFailure) { // Netty rethrows a checked BindException undeclared
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            closed = true;
            throw new TransportException(
                    TransportException.Reason.BIND_FAILED, "cannot bind UDP " + options.bind(), bindFailure);
        }
        LOG.info("{} listening on UDP {}", self(), channel.localAddress());
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public boolean send(MemberId to, Envelope envelope) {
        InetSocketAddress address = addresses.get(to);
        if (closed || listener == null || address == null) {
            counters.dropped();
            return false;
        }
        ByteBuf datagram = sealers.get().seal(alloc, options.codec(), envelope, boot, sequence.incrementAndGet());
        if (datagram == null) {
            counters.dropped();
            return false;
        }
        int size = datagram.readableBytes();
        if (!queue.offer(new DatagramPacket(datagram, address), size)) {
            counters.dropped();
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
        return true;
    }

    @Override
    public void flushQueued() {
        Channel open = channel;
        if (open != null && drainScheduled.get() && open.eventLoop().inEventLoop()) {
            drain(); // the drain task already queued then finds nothing left
        }
    }

    /**
     * Sends one authenticated question to {@code address} and waits up to {@link #IDENTIFY_TIMEOUT} for the answer
     * that repeats its nonce (PROTOCOL.md §8). A peer without the cluster key cannot answer, and its silence reads as
     * {@code PEER_UNREACHABLE}: over UDP a wrong key and a dead address look the same.
     */
    @Override
    public CompletableFuture<MemberId> identify(PeerAddress address) {
        Objects.requireNonNull(address, "address");
        if (closed || listener == null) {
            return CompletableFuture.failedFuture(new TransportException(
                    TransportException.Reason.ILLEGAL_STATE, "identify needs a started, open transport", null));
        }
        byte[] nonce = new byte[Datagrams.NONCE_BYTES];
        NONCES.nextBytes(nonce);
        String key = HexFormat.of().formatHex(nonce);
        CompletableFuture<MemberId> identified = new CompletableFuture<>();
        asked.put(key, identified);
        identified.whenComplete((member, failure) -> asked.remove(key));
        ByteBuf question = sealers.get().sealIdentity(alloc, Datagrams.WHO_ARE_YOU, nonce, self());
        channel.eventLoop().execute(() -> {
            counters.sent(question.readableBytes());
            channel.writeAndFlush(new DatagramPacket(question, new InetSocketAddress(address.host(), address.port())));
            channel.eventLoop()
                    .schedule(
                            () -> identified.completeExceptionally(new TransportException(
                                    TransportException.Reason.PEER_UNREACHABLE,
                                    "seed " + address + ": no answer in " + IDENTIFY_TIMEOUT.toMillis()
                                            + " ms (nobody there, or another cluster key)",
                                    null)),
                            IDENTIFY_TIMEOUT.toMillis(),
                            TimeUnit.MILLISECONDS);
        });
        return identified;
    }

    @Override
    public void updatePeer(MemberId member, PeerAddress address) {
        if (!member.equals(self())) {
            addresses.put(member, new InetSocketAddress(address.host(), address.port()));
        }
    }

    @Override
    public void forgetPeer(MemberId member) {
        addresses.remove(member);
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
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            loops = null;
        }
        counters.dropped(queue.clear());
    }

    private void drain() {
        drainScheduled.set(false);
        if (closed) {
            counters.dropped(queue.clear());
            return;
        }
        int written = 0;
        while (channel.isWritable()) {
            DatagramPacket packet = queue.poll();
            if (packet == null) {
                break;
            }
            counters.sent(packet.content().readableBytes());
            channel.write(packet, channel.voidPromise());
            written++;
        }
        if (written > 0) {
            channel.flush();
        }
    }

    /** Authenticates, de-duplicates, decodes and delivers datagrams. Runs on the channel's event loop. */
    private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Datagrams verifier;
        private final int largest;
        private final ReplayWindow replays;

        Inbound(byte[] clusterKey, int largest) {
            this.verifier = new Datagrams(clusterKey);
            this.largest = largest;
            this.replays = new ReplayWindow(options.replayHorizon().toNanos());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            counters.receivedBytes(content.readableBytes());
            if (content.readableBytes() > largest) {
                counters.decodeError();
                return;
            }
            if (!verifier.authentic(content)) {
                counters.authFailure();
                LOG.debug("Dropped a datagram from {} with a bad MAC", packet.sender());
                return;
            }
            int kind = content.getInt(content.readerIndex());
            if (kind == Datagrams.WHO_ARE_YOU || kind == Datagrams.I_AM) {
                identity(ctx, packet.sender(), content);
                return;
            }
            Datagrams.Parsed parsed;
            try {
                parsed = Datagrams.parse(content, options.codec());
            } catch (CodecException malformed) {
                counters.decodeError();
                LOG.warn("Dropped a malformed datagram from {}: {}", packet.sender(), malformed.getMessage());
                return;
            }
            if (!replays.accept(parsed.envelope().from(), parsed.boot(), parsed.sequence(), System.nanoTime())) {
                counters.authFailure();
                return;
            }
            counters.delivered();
            try {
                listener.received(parsed.envelope());
            } catch (RuntimeException listenerBug) {
                LOG.error(
                        "Transport listener failed on a message from {}",
                        parsed.envelope().from(),
                        listenerBug);
            }
        }

        /** An authentic question about who listens here (answered), or an answer to one of this member's questions. */
        private void identity(ChannelHandlerContext ctx, InetSocketAddress sender, ByteBuf content) {
            Datagrams.Identity identity;
            try {
                identity = Datagrams.parseIdentity(content);
            } catch (CodecException malformed) {
                counters.decodeError();
                LOG.warn("Dropped a malformed identity datagram from {}: {}", sender, malformed.getMessage());
                return;
            }
            if (identity.kind() == Datagrams.WHO_ARE_YOU) {
                ByteBuf answer = verifier.sealIdentity(ctx.alloc(), Datagrams.I_AM, identity.nonce(), self());
                counters.sent(answer.readableBytes());
                ctx.writeAndFlush(new DatagramPacket(answer, sender));
                return;
            }
            CompletableFuture<MemberId> waiting = asked.get(HexFormat.of().formatHex(identity.nonce()));
            if (waiting == null) {
                counters.authFailure(); // an answer to no question of ours: late, or replayed
            } else if (identity.member().equals(self())) {
                waiting.completeExceptionally(new TransportException(
                        TransportException.Reason.PEER_REFUSED, "seed " + sender + ": it is this member itself", null));
            } else {
                waiting.complete(identity.member());
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // The socket buffer drained: write what queued up meanwhile.
            if (ctx.channel().isWritable()) {
                drain();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A datagram socket survives ICMP errors and the like; log and keep receiving.
            LOG.debug("UDP channel error: {}", cause.toString());
        }
    }
}
