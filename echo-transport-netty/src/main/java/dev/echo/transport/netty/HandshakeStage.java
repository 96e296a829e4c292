package dev.echo.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
