package dev.echo.transport.netty;

import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The UDP datagram format: {@code ["ECHU"][version][boot][sequence] message [HMAC-SHA256]}. The MAC, keyed with the
 * cluster key, covers every byte before it and is checked (in constant time) before anything else is parsed, so a
 * datagram from outside the cluster never reaches the message decoder. {@code boot} and {@code sequence} feed the
 * receiver's {@link ReplayWindow}.
 *
 * <p>Not thread-safe: each instance holds a {@link Mac}; use one per thread.
 */
final class Datagrams {
    static final int MAGIC = 0x45434855; // "ECHU"
    static final int HEADER = 4 + 1 + 8 + 8;
    static final int MAC_BYTES = 32;
    /** Bytes a datagram adds to its message. */
    static final int OVERHEAD = HEADER + MAC_BYTES;

    private final Mac mac;
    private final byte[] computed = new byte[MAC_BYTES];
    private final byte[] received = new byte[MAC_BYTES];

    Datagrams(byte[] clusterKey) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clusterKey, "HmacSHA256"));
        } catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", unavailable);
        }
    }

    /** Encodes and seals {@code envelope}, or returns {@code null} if it is too large. The caller owns the buffer. */
    ByteBuf seal(ByteBufAllocator alloc, MessageCodec codec, Envelope envelope, long boot, long sequence) {
        int size = codec.encodedSize(envelope);
        if (size > codec.maxMessageBytes()) {
            return null;
        }
        ByteBuf datagram = alloc.buffer(OVERHEAD + size);
        try {
            datagram.writeInt(MAGIC)
                    .writeByte(MessageCodec.VERSION)
                    .writeLong(boot)
                    .writeLong(sequence);
            codec.encode(envelope, size, datagram.nioBuffer(HEADER, size));
            datagram.writerIndex(HEADER + size);
            mac.update(datagram.nioBuffer(0, HEADER + size));
            datagram.writeBytes(mac.doFinal());
            return datagram;
        } catch (IllegalArgumentException tooLarge) {
            datagram.release();
            return null;
        }
    }

    /** Whether the datagram's MAC is valid under the cluster key. Reads nothing else. */
    boolean authentic(ByteBuf datagram) {
        int length = datagram.readableBytes();
        if (length < OVERHEAD) {
            return false;
        }
        int start = datagram.readerIndex();
        mac.update(datagram.nioBuffer(start, length - MAC_BYTES));
        try {
            mac.doFinal(computed, 0);
        } catch (ShortBufferException impossible) {
            throw new IllegalStateException(impossible);
        }
        datagram.getBytes(start + length - MAC_BYTES, received);
        return MessageDigest.isEqual(computed, received);
    }

    /** Parses an authentic datagram. */
    static Parsed parse(ByteBuf datagram, MessageCodec codec) throws CodecException {
        int start = datagram.readerIndex();
        int length = datagram.readableBytes();
        if (length < OVERHEAD) {
            throw new CodecException(CodecException.Reason.TRUNCATED, "datagram of " + length + " bytes");
        }
        if (datagram.getInt(start) != MAGIC) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "not an Echo datagram (bad magic)");
        }
        byte version = datagram.getByte(start + 4);
        if (version != MessageCodec.VERSION) {
            throw new CodecException(CodecException.Reason.UNSUPPORTED_VERSION, "datagram version " + version);
        }
        long boot = datagram.getLong(start + 5);
        long sequence = datagram.getLong(start + 13);
        Envelope envelope = codec.decode(datagram.nioBuffer(start + HEADER, length - OVERHEAD));
        return new Parsed(boot, sequence, envelope);
    }

    /**
     * A parsed datagram.
     *
     * @param boot the sender's boot number
     * @param sequence the datagram's number within that boot
     * @param envelope the message
     */
    record Parsed(long boot, long sequence, Envelope envelope) {}
}
