package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.PeerState;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side towards one peer: a bounded queue of encoded frames, one send-only connection established with
 * a handshake, reconnection with exponential backoff and jitter, write coalescing (a drain on the event loop writes
 * everything queued and flushes once), and liveness: pings the peer answers on the same connection, and a re-dial when
 * none is answered for the link timeout.
 *
 * <p>Thread-safe: {@link #enqueue} from any thread; everything else runs on the link's event loop.
 */
final class PeerLink {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);

    private final NettyTcpTransport transport;
    private final MemberId member;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final OutboundQueue<ByteBuf> queue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private Channel ready;
    private boolean connecting;
    private boolean closed;
    private long delayMillis;
    private boolean everAttempted;
    /** When the ready connection was made or last answered a ping (System.nanoTime). Event loop only. */
    private long lastAnsweredNanos;

    /** What {@link NettyTcpTransport#peerState} reports: written on the event loop, read from any thread. */
    private volatile PeerState state = PeerState.UNKNOWN;

    private long pingSequence;
    private ScheduledFuture<?> pinger;

    PeerLink(NettyTcpTransport transport, MemberId member, EventLoop loop, Bootstrap bootstrap) {
        this.transport = transport;
        this.member = member;
        this.loop = loop;
        this.bootstrap = bootstrap;
        TcpTransportOptions options = transport.options();
        this.queue = new OutboundQueue<>(options.queueMessages(), options.queueBytes());
        this.delayMillis = options.reconnectMin().toMillis();
    }

    MemberId member() {
        return member;
    }

    PeerState state() {
        return state;
    }

    /** Queues a frame (ownership passes to the link); false when the queue is full (the frame is released). */
    boolean enqueue(ByteBuf frame) {
        if (!queue.offer(frame, frame.readableBytes())) {
            return false;
        }
        scheduleDrain();
        return true;
    }

    void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(this::drain);
        }
    }

    /**
     * Called on any thread: on this link's event loop, writes now what waits for a drain already queued there (that
     * task then finds nothing left), so a loop pass about to force its journal on this thread sends first.
     */
    void drainIfQueuedHere() {
        if (drainScheduled.get() && loop.inEventLoop()) {
            drain();
        }
    }

    /** Starts connecting unless a connection exists or is being made. */
    void ensureConnected() {
        loop.execute(() -> {
            if (!closed && ready == null && !connecting) {
                connect();
            }
        });
    }

    /** The handshake succeeded on {@code channel}: send everything queued. Event loop only. */
    void connected(Channel channel) {
        ready = channel;
        state = PeerState.CONNECTED;
        delayMillis = transport.options().reconnectMin().toMillis();
        lastAnsweredNanos = System.nanoTime();
        long interval = Math.max(10, transport.options().linkTimeout().toMillis() / 4);
        pinger = loop.scheduleAtFixedRate(() -> pingOrRedial(channel), interval, interval, TimeUnit.MILLISECONDS);
        drain();
    }

    /** The peer answered a ping on {@code channel}: the link carries data both ways. Event loop only. */
    void answered(Channel channel, long sequence) {
        if (channel == ready && sequence <= pingSequence) {
            lastAnsweredNanos = System.nanoTime();
        }
    }

    /**
     * Pings the peer over {@code channel}, or closes it when no ping was answered for the link timeout: a connection
     * that a partition left in TCP's retransmission back-off would otherwise wait out the kernel's timers (tens of
     * seconds) before any message got through again. The close leads to an immediate re-dial.
     */
    private void pingOrRedial(Channel channel) {
        if (channel != ready) {
            return;
        }
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnsweredNanos);
        if (silentMillis > transport.options().linkTimeout().toMillis()) {
            LOG.warn("No answer from {} for {} ms; closing the link and re-dialling", member, silentMillis);
            transport.counters().linkTimedOut();
            channel.close();
            return;
        }
        channel.writeAndFlush(Frames.control(channel.alloc(), Frames.PING, ++pingSequence), channel.voidPromise());
    }

    void close() {
        loop.execute(() -> {
            closed = true;
            if (ready != null) {
                ready.close();
            }
            transport.counters().dropped(queue.clear());
        });
    }

    private void drain() {
        drainScheduled.set(false);
        Channel channel = ready;
        if (channel == null) {
            if (!closed && !connecting) {
                connect();
            }
            return;
        }
        int written = 0;
        while (channel.isWritable()) {
            ByteBuf frame = queue.poll();
            if (frame == null) {
                break;
            }
            transport.counters().sent(frame.readableBytes());
            channel.write(frame, channel.voidPromise());
            written++;
        }
        if (written > 0) {
            channel.flush();
        }
    }

    private void connect() {
        PeerAddress address = transport.addressOf(member);
        if (closed || address == null) {
            return;
        }
        if (everAttempted) {
            transport.counters().reconnect();
        }
        everAttempted = true;
        connecting = true;
        ChannelFuture attempt = bootstrap
                .clone(loop)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        transport.initOutbound(channel, PeerLink.this, address);
                    }
                })
                .remoteAddress(address.host(), address.port())
                .connect();
        Channel channel = attempt.channel();
        attempt.addListener(done -> {
            if (!done.isSuccess()) {
                channel.close();
            }
        });
        // One path back to "not connected", whether the attempt failed, the handshake failed or the peer left.
        channel.closeFuture().addListener(closedFuture -> disconnected(channel));
    }

    private void disconnected(Channel channel) {
        if (ready == channel || ready == null) {
            state = PeerState.UNREACHABLE; // the connection went, or this attempt to make one failed
        }
        if (ready == channel) {
            ready = null;
            if (pinger != null) {
                pinger.cancel(false);
                pinger = null;
            }
        }
        connecting = false;
        if (closed) {
            return;
        }
        long jittered = delayMillis / 2 + ThreadLocalRandom.current().nextLong(delayMillis / 2 + 1);
        delayMillis =
                Math.min(delayMillis * 2, transport.options().reconnectMax().toMillis());
        loop.schedule(
                () -> {
                    if (!closed && ready == null && !connecting) {
                        connect();
                    }
                },
                jittered,
                TimeUnit.MILLISECONDS);
    }
}
