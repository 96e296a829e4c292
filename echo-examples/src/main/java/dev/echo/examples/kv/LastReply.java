package dev.echo.examples.kv;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.redis.RedisMessage;
import java.util.concurrent.TimeUnit;

/**
 * The last reply on a RESP connection that is being closed (a refused or malformed request), sent so that the client
 * reads it. Closing a socket whose input holds unread bytes (the rest of an oversized value, say) makes the kernel
 * reset the connection, and a reset can discard the reply at the client before it is read: the client would see only
 * "connection closed". So the reply is followed by a half-close, this side keeps reading (the caller drops what
 * arrives) until the client closes, and closes itself after {@link #DRAIN_MILLIS} at most.
 *
 * <p>Runs on the connection's event loop.
 */
final class LastReply {
    /** How long a client that keeps sending after the last reply is read (and ignored) before the close. */
    static final long DRAIN_MILLIS = 5_000;

    private LastReply() {}

    /**
     * Writes {@code reply}, then ends the connection as described above; the caller drops whatever arrives after. The
     * reply enters at the tail of the pipeline, so it passes the RESP encoder wherever the caller sits.
     */
    static void send(ChannelHandlerContext ctx, RedisMessage reply) {
        if (!(ctx.channel() instanceof DuplexChannel duplex)) {
            ctx.channel().writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.channel().writeAndFlush(reply).addListener(written -> {
            if (written.isSuccess()) {
                duplex.shutdownOutput();
            } else {
                ctx.close();
            }
        });
        ctx.executor().schedule(() -> ctx.close(), DRAIN_MILLIS, TimeUnit.MILLISECONDS);
    }
}
