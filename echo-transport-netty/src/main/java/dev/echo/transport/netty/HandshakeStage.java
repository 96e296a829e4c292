package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * What both sides of the TCP handshake share: a deadline for the handshake to complete, and TLS handshake failures
 * counted, logged and answered by closing the connection.
 *
 * <p>Not shareable; runs on the channel's event loop.
 */
abstract class HandshakeStage extends ChannelInboundHandlerAdapter {
    private final NettyTcpTransport transport;
    private final Logger log;
    private ScheduledFuture<?> timeout;

    HandshakeStage(NettyTcpTransport transport, Logger log) {
        this.transport = transport;
        this.log = log;
    }

    final NettyTcpTransport transport() {
        return transport;
    }

    /** Closes the connection (after {@code onTimeout}) unless {@link #cancelTimeout} is called in time. */
    final void startTimeout(ChannelHandlerContext ctx, Runnable onTimeout) {
        long millis = transport.options().handshakeTimeout().toMillis();
        timeout = ctx.executor()
                .schedule(
                        () -> {
                            onTimeout.run();
                            ctx.close();
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
    }

    /**
     * Sends this side's hello, asking for {@code target} (empty: whoever listens there), with {@code nonce} for the
     * cluster-key proofs, and starts the handshake's deadline.
     */
    final void sendHello(ChannelHandlerContext ctx, Optional<MemberId> target, byte[] nonce, Runnable onTimeout) {
        TcpTransportOptions options = transport.options();
        ctx.writeAndFlush(Frames.handshake(
                ctx.alloc(),
                new Handshake.Hello(
                        MessageCodec.VERSION,
                        options.clusterId(),
                        transport.self(),
                        options.incarnation(),
                        target,
                        nonce)));
        startTimeout(ctx, onTimeout);
    }

    /**
     * Reads the handshake that fills {@code frame} and releases the frame. A malformed one is counted, described to
     * {@code malformed} and closes the connection; then the result is null.
     */
    final Handshake readOrClose(ChannelHandlerContext ctx, ByteBuf frame, Consumer<String> malformed) {
        try {
            return Handshake.read(frame);
        } catch (CodecException wrong) {
            transport.counters().decodeError();
            malformed.accept(wrong.getMessage());
            ctx.close();
            return null;
        } finally {
            frame.release();
        }
    }

    final void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!TlsFailures.handleEvent(ctx, event, transport.counters(), log)) {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }
}
