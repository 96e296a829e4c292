package dev.echo.transport.netty;

import dev.echo.core.transport.TransportCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.security.MessageDigest;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving half of a key-bound connection (PROTOCOL.md §10): checks each frame's tag ({@link FrameSealer}) in
 * constant time before anything reads the frame, strips it, and passes the body on. A frame with a wrong tag was
 * forged, replayed, reordered or damaged: it is counted as an authentication failure and the connection is closed.
 *
 * <p>Not shareable; runs on the channel's event loop.
 */
final class FrameOpener extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrameOpener.class);

    private final FrameTags tags;
    private final TransportCounters counters;
    private final byte[] received = new byte[FrameSealer.TAG_BYTES];
    private final byte[] expected = new byte[FrameSealer.TAG_BYTES];
    private boolean failed;

    FrameOpener(Mac mac, TransportCounters counters) {
        this.tags = new FrameTags(mac);
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        int length = frame.readableBytes() - FrameSealer.TAG_BYTES;
        if (failed || length < 1) {
            fail(ctx, frame, "a frame too short to carry its tag");
            return;
        }
        int start = frame.readerIndex();
        System.arraycopy(tags.next(frame.nioBuffer(start, length)), 0, expected, 0, FrameSealer.TAG_BYTES);
        frame.getBytes(start + length, received);
        if (!MessageDigest.isEqual(expected, received)) {
            fail(ctx, frame, "a frame whose tag does not match the cluster key");
            return;
        }
        frame.writerIndex(start + length);
        ctx.fireChannelRead(frame);
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf frame, String what) {
        frame.release();
        if (!failed) {
            failed = true;
            counters.authFailure();
            LOG.warn("Closing connection with {}: {}", ctx.channel().remoteAddress(), what);
            ctx.close();
        }
    }
}
