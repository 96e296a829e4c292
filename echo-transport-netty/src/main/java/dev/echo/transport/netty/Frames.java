package dev.echo.transport.netty;

import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;

/**
 * Builds length-prefixed TCP frames. After the handshake a frame is an envelope, or a control frame (a link-liveness
 * ping or its pong) that starts with {@link #CONTROL}, a byte no wire version uses. Stateless; thread-safe.
 */
final class Frames {
    /** First byte of a control frame: {@code [CONTROL][kind][u64 sequence]}. */
    static final byte CONTROL = 0;

    static final byte PING = 1;
    static final byte PONG = 2;
    static final int CONTROL_BYTES = 10;

    private Frames() {}

    /**
     * Encodes {@code envelope} as {@code [u32 length][message]}, or returns {@code null} if it is larger than the
     * codec allows. The caller owns the returned buffer, which has {@code trailerBytes} spare for a tag.
     */
    static ByteBuf envelope(ByteBufAllocator alloc, MessageCodec codec, Envelope envelope, int trailerBytes) {
        int size = codec.encodedSize(envelope);
        if (size > codec.maxMessageBytes()) {
            return null;
        }
        ByteBuf frame = alloc.buffer(4 + size + trailerBytes); // room for a FrameSealer tag, so it never reallocates
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

    /** A control frame: {@code kind} is {@link #PING} or {@link #PONG}. */
    static ByteBuf control(ByteBufAllocator alloc, byte kind, long sequence) {
        ByteBuf frame = alloc.buffer(4 + CONTROL_BYTES + FrameSealer.TAG_BYTES);
        return frame.writeInt(CONTROL_BYTES).writeByte(CONTROL).writeByte(kind).writeLong(sequence);
    }

    /** Whether {@code frame} (without its length prefix) is a control frame of {@code kind}. */
    static boolean isControl(ByteBuf frame, byte kind) {
        return frame.readableBytes() == CONTROL_BYTES
                && frame.getByte(frame.readerIndex()) == CONTROL
                && frame.getByte(frame.readerIndex() + 1) == kind;
    }

    /** The sequence number of a control frame. */
    static long controlSequence(ByteBuf frame) {
        return frame.getLong(frame.readerIndex() + 2);
    }
}
