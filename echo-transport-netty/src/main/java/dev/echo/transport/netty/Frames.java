package dev.echo.transport.netty;

import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;

/** Builds length-prefixed TCP frames. Stateless; thread-safe. */
final class Frames {
    private Frames() {}

    /**
     * Encodes {@code envelope} as {@code [u32 length][message]}, or returns {@code null} if it is larger than the
     * codec allows. The caller owns the returned buffer.
     */
    static ByteBuf envelope(ByteBufAllocator alloc, MessageCodec codec, Envelope envelope) {
        int size = codec.encodedSize(envelope);
        if (size > codec.maxMessageBytes()) {
            return null;
        }
        ByteBuf frame = alloc.buffer(4 + size);
        try {
            frame.writeInt(size);
            ByteBuffer body = frame.nioBuffer(4, size);
            codec.encode(envelope, size, body);
            frame.writerIndex(4 + size);
            return frame;
        } catch (IllegalArgumentException tooLarge) {
            frame.release();
            return null;
        }
    }

    /** Encodes a handshake as {@code [u32 length][handshake]}. */
    static ByteBuf handshake(ByteBufAllocator alloc, Handshake handshake) {
        ByteBuf frame = alloc.buffer(64);
        frame.writeInt(0);
        Handshake.write(handshake, frame);
        frame.setInt(0, frame.readableBytes() - 4);
        return frame;
    }
}
