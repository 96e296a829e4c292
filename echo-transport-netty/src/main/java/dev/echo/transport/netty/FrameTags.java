package dev.echo.transport.netty;

import java.nio.ByteBuffer;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * The tags of one direction of a key-bound connection: HMAC-SHA256 under the direction's session key of the frame's
 * implicit sequence number and its body ({@link FrameSealer}, {@link FrameOpener}). Reuses its buffers, so tagging a
 * frame allocates nothing.
 *
 * <p>Not thread-safe: one per direction of one channel, used on its event loop.
 */
final class FrameTags {
    private final Mac mac;
    private final byte[] sequenceBytes = new byte[8];
    private final byte[] tag = new byte[32];
    private long sequence;

    FrameTags(Mac mac) {
        this.mac = mac;
    }

    /** The tag of the next frame, whose body is {@code body}; valid until the next call (the first 16 bytes count). */
    byte[] next(ByteBuffer body) {
        long value = sequence++;
        for (int i = 7; i >= 0; i--) {
            sequenceBytes[i] = (byte) value;
            value >>>= 8;
        }
        mac.update(sequenceBytes);
        mac.update(body);
        try {
            mac.doFinal(tag, 0);
        } catch (ShortBufferException impossible) {
            throw new IllegalStateException(impossible);
        }
        return tag;
    }
}
