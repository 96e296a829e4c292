package dev.echo.transport.netty;

import dev.echo.core.transport.TransportCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a TCP stream into {@code [u32 length][frame]} frames. A length of zero or above the current limit is a
 * malformed stream: it is counted, logged and the connection closed, before any buffer of that size exists. The
 * limit starts small (only a handshake may arrive first) and is raised once the peer is authenticated: from the next
 * frame on, even one that came in the same read as the handshake's last.
 *
 * <p>Not shareable: one instance per channel, used only on that channel's event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    static final int HANDSHAKE_LIMIT = 512;
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final TransportCounters counters;
    private int maxFrameBytes = HANDSHAKE_LIMIT;
    private boolean failed;

    FrameDecoder(TransportCounters counters) {
        this.counters = counters;
    }

    /** Allows frames up to {@code bytes} from now on (called once the handshake succeeded). */
    void raiseLimit(int bytes) {
        maxFrameBytes = bytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf bytes) {
            counters.receivedBytes(bytes.readableBytes());
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        // One frame per call: ByteToMessageDecoder hands it on before it asks for the next, so the handshake that
        // raises the limit has run before the frames behind it, which may have come in the same read, are judged.
        if (in.readableBytes() >= 4) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length == 0 || length > maxFrameBytes) {
                failed = true;
                counters.decodeError();
                LOG.warn(
                        "Closing connection from {}: frame length {} outside 1..{}",
                        ctx.channel().remoteAddress(),
                        length,
                        maxFrameBytes);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            out.add(in.readRetainedSlice((int) length));
        }
    }
}
