package dev.echo.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import javax.crypto.Mac;

/**
 * Binds an outbound stream to the cluster key (PROTOCOL.md §10): appends to every {@code [u32 length][body]} frame a
 * {@value #TAG_BYTES}-byte tag, the truncated HMAC-SHA256 under this direction's session key of the frame's sequence
 * number and body, and counts the tag in the length. The sequence is implicit (TCP keeps order), so a frame cannot be
 * replayed, dropped or moved within the stream without the {@link FrameOpener} at the other end noticing.
 *
 * <p>Not shareable; runs on the channel's event loop.
 */
final class FrameSealer extends ChannelOutboundHandlerAdapter {
    static final int TAG_BYTES = 16;

    private final FrameTags tags;

    FrameSealer(Mac mac) {
        this.tags = new FrameTags(mac);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf frame) {
            int start = frame.readerIndex();
            int bodyLength = frame.readableBytes() - 4;
            byte[] tag = tags.next(frame.nioBuffer(start + 4, bodyLength));
            frame.writeBytes(tag, 0, TAG_BYTES);
            frame.setInt(start, bodyLength + TAG_BYTES);
        }
        ctx.write(msg, promise);
    }
}
