package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the frames of an authenticated connection and hands each envelope to the transport's listener, and answers
 * the sender's link pings with pongs on the same connection ({@link PeerLink}). A frame that does not decode, or that
 * claims another sender than the handshake established, closes the connection (the peer reconnects; the protocol
 * retries); so does a connection silent for the link timeout.
 *
 * <p>Not shareable; runs on the channel's event loop and never runs protocol code.
 */
final class InboundEnvelopeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(InboundEnvelopeHandler.class);

    private final NettyTcpTransport transport;
    private final MemberId peer;

    InboundEnvelopeHandler(NettyTcpTransport transport, MemberId peer) {
        this.transport = transport;
        this.peer = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Pings arrive every quarter of the link timeout: a connection silent for all of it is dead or black-holed.
        long timeout = transport.options().linkTimeout().toMillis();
        ctx.pipeline().addBefore(ctx.name(), "idle", new IdleStateHandler(timeout, 0, 0, TimeUnit.MILLISECONDS));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            LOG.warn(
                    "Closing connection from {} ({}): nothing received for {} ms",
                    peer,
                    ctx.channel().remoteAddress(),
                    transport.options().linkTimeout().toMillis());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (Frames.isControl(frame, Frames.PING)) {
            long sequence = Frames.controlSequence(frame);
            frame.release();
            ctx.writeAndFlush(Frames.control(ctx.alloc(), Frames.PONG, sequence), ctx.voidPromise());
            return;
        }
        Envelope envelope;
        try {
            envelope = transport.options().codec().decode(frame.nioBuffer());
        } catch (CodecException malformed) {
            transport.counters().decodeError();
            LOG.warn(
                    "Closing connection from {} ({}): {}", peer, ctx.channel().remoteAddress(), malformed.getMessage());
            ctx.close();
            return;
        } finally {
            frame.release();
        }
        if (!envelope.from().equals(peer)) {
            transport.counters().authFailure();
            LOG.warn("Closing connection from {}: it sent a message as {}", peer, envelope.from());
            ctx.close();
            return;
        }
        transport.deliver(envelope);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!TlsFailures.isTls(cause)) {
            LOG.warn("Closing connection from {}: {}", peer, cause.toString());
        }
        ctx.close();
    }
}
