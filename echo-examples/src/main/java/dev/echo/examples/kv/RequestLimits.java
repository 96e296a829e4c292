package dev.echo.examples.kv;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses a RESP request whose declared sizes exceed the limits before anything of that size is aggregated: a bulk
 * string above {@code maxBulkBytes} or an array above {@code maxArrayLength} gets an error reply and the connection
 * is closed, in a way that lets the client read that reply ({@link LastReply}).
 *
 * <p>Not shareable: one per connection, on its event loop.
 */
final class RequestLimits extends ChannelInboundHandlerAdapter {
    private final long maxBulkBytes;
    private final long maxArrayLength;
    private boolean refused;

    RequestLimits(long maxBulkBytes, long maxArrayLength) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxArrayLength = maxArrayLength;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String problem = null;
        if (msg instanceof BulkStringHeaderRedisMessage header && header.bulkStringLength() > maxBulkBytes) {
            problem = "ERR bulk string of " + header.bulkStringLength() + " bytes exceeds " + maxBulkBytes;
        } else if (msg instanceof ArrayHeaderRedisMessage header && header.length() > maxArrayLength) {
            problem = "ERR array of " + header.length() + " elements exceeds " + maxArrayLength;
        }
        if (problem == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        refused = true;
        ReferenceCountUtil.release(msg);
        // The rest of the request is not decoded: the decoder goes (handing this handler what it holds, dropped
        // above), and the bytes still to come arrive raw and are dropped too while the reply gets out.
        if (ctx.pipeline().get(RedisDecoder.class) != null) {
            ctx.pipeline().remove(RedisDecoder.class);
        }
        LastReply.send(ctx, new ErrorRedisMessage(problem));
    }
}
