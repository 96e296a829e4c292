package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * The UDP datagram format: {@code ["ECHU"][version][boot][sequence] message [HMAC-SHA256]}. The MAC, keyed with the
 * cluster key, covers every byte before it and is checked (in constant time) before anything else is parsed, so a
 * datagram from outside the cluster never reaches the message decoder. {@code boot} and {@code sequence} feed the
 * receiver's {@link ReplayWindow}.
 *
 * <p>Two more kinds ask an address who listens there (PROTOCOL.md §8, a seed given as a bare address) and answer:
 * {@code ["ECHQ" or "ECHA"][version][nonce] id [HMAC-SHA256]}, the id a length byte and ASCII: the asker's in a
 * question, the answering member's in an answer, which repeats the question's fresh nonce so an old answer cannot be
 * replayed.
 *
 * <p>Not thread-safe: each instance holds a {@link Mac}; use one per thread.
 */
final class Datagrams {
    static final int MAGIC = 0x45434855; // "ECHU"
    static final int WHO_ARE_YOU = 0x45434851; // "ECHQ"
    static final int I_AM = 0x45434841; // "ECHA"
    static final int NONCE_BYTES = 16;
    static final int HEADER = 4 + 1 + 8 + 8;
    static final int MAC_BYTES = 32;
    /** Bytes a datagram adds to its message. */
    static final int OVERHEAD = HEADER + MAC_BYTES;

    private final Mac mac;
    private final byte[] computed = new byte[MAC_BYTES];
    private final byte[] received = new byte[MAC_BYTES];

    Datagrams(byte[] clusterKey) {
        mac = ClusterKeyAuth.macWithKey(clusterKey);
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

    /** Seals a question ({@link #WHO_ARE_YOU}) or an answer ({@link #I_AM}) naming {@code member}. */
    ByteBuf sealIdentity(ByteBufAllocator alloc, int kind, byte[] nonce, MemberId member) {
        byte[] id = member.value().getBytes(StandardCharsets.US_ASCII);
        ByteBuf datagram = alloc.buffer(4 + 1 + NONCE_BYTES + 1 + id.length + MAC_BYTES);
        datagram.writeInt(kind)
                .writeByte(MessageCodec.VERSION)
                .writeBytes(nonce)
                .writeByte(id.length)
                .writeBytes(id);
        mac.update(datagram.nioBuffer(0, datagram.writerIndex()));
        datagram.writeBytes(mac.doFinal());
        return datagram;
    }

    /**
     * A question or answer about who listens at an address.
     *
     * @param kind {@link #WHO_ARE_YOU} or {@link #I_AM}
     * @param nonce the question's fresh bytes
     * @param member the asker (question) or the answering member (answer)
     */
    record Identity(int kind, byte[] nonce, MemberId member) {}

    /** Parses an authentic question or answer. */
    static Identity parseIdentity(ByteBuf datagram) throws CodecException {
        int start = datagram.readerIndex();
        int length = datagram.readableBytes() - MAC_BYTES;
        if (length < 4 + 1 + NONCE_BYTES + 1) {
            throw new CodecException(CodecException.Reason.TRUNCATED, "identity datagram of " + length + " bytes");
        }
        int kind = datagram.getInt(start);
        byte version = datagram.getByte(start + 4);
        if (version != MessageCodec.VERSION) {
            throw new CodecException(CodecException.Reason.UNSUPPORTED_VERSION, "datagram version " + version);
        }
        byte[] nonce = new byte[NONCE_BYTES];
        datagram.getBytes(start + 5, nonce);
        int idLength = datagram.getUnsignedByte(start + 5 + NONCE_BYTES);
        if (length != 4 + 1 + NONCE_BYTES + 1 + idLength) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "identity datagram of the wrong length");
        }
        String id = datagram.toString(start + 6 + NONCE_BYTES, idLength, StandardCharsets.US_ASCII);
        try {
            return new Identity(kind, nonce, MemberId.of(id));
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
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
