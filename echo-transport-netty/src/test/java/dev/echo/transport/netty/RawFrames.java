package dev.echo.transport.netty;

import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The TCP wire as a test writes it from a raw socket: handshake frames, envelope frames (tagged when the connection
 * is bound to a cluster key), and reading the peer's handshake answer. Stateless; thread-safe.
 */
final class RawFrames {
    private RawFrames() {}

    static byte[] handshake(Handshake handshake) {
        return bytes(Frames.handshake(ByteBufAllocator.DEFAULT, handshake));
    }

    /**
     * {@code envelope} as a frame, with the next tag of {@code tags} when the connection is key-bound (null: untagged).
     * The codec writes whatever the fields say, out-of-domain numbers included; only decoding refuses them.
     */
    static byte[] envelope(MessageCodec codec, Envelope envelope, FrameTags tags) {
        int trailer = tags == null ? 0 : FrameSealer.TAG_BYTES;
        ByteBuf buf = Frames.envelope(ByteBufAllocator.DEFAULT, codec, envelope, trailer);
        if (tags != null) {
            int body = buf.readableBytes() - 4;
            buf.writeBytes(tags.next(buf.nioBuffer(4, body)), 0, FrameSealer.TAG_BYTES);
            buf.setInt(0, body + FrameSealer.TAG_BYTES);
        }
        return bytes(buf);
    }

    /** Reads one handshake frame; a frame that is not one is an {@link IOException}. */
    static Handshake readHandshake(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        try {
            return Handshake.read(Unpooled.wrappedBuffer(answer));
        } catch (CodecException malformed) {
            throw new IOException(malformed);
        }
    }

    static void write(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }
}
