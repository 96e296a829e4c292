package dev.echo.core.codec;

import dev.echo.core.protocol.Domains;
import java.nio.ByteBuffer;

/**
 * Bounds-checked reads from a {@link ByteBuffer}: every read first checks that the bytes are there, and every length
 * is checked against its limit before anything of that size is allocated.
 *
 * <p>Stateless; thread-safe.
 */
final class Bounded {
    private Bounded() {}

    static void need(ByteBuffer in, int bytes, String field) throws CodecException {
        if (in.remaining() < bytes) {
            throw new CodecException(
                    CodecException.Reason.TRUNCATED, field + " needs " + bytes + " bytes, " + in.remaining() + " left");
        }
    }

    static byte getByte(ByteBuffer in, String field) throws CodecException {
        need(in, 1, field);
        return in.get();
    }

    static short getShort(ByteBuffer in, String field) throws CodecException {
        need(in, 2, field);
        return in.getShort();
    }

    static int getInt(ByteBuffer in, String field) throws CodecException {
        need(in, 4, field);
        return in.getInt();
    }

    static long getLong(ByteBuffer in, String field) throws CodecException {
        need(in, 8, field);
        return in.getLong();
    }

    /**
     * Reads a term, index, incarnation or sequence and checks its domain (PROTOCOL.md §10): {@code 0 <= value < 2^62},
     * so that no later {@code value + 1} can overflow.
     */
    static long getInDomain(ByteBuffer in, String field) throws CodecException {
        long value = getLong(in, field);
        if (!Domains.contains(value)) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, field + " outside [0, 2^62): " + value);
        }
        return value;
    }

    /** Reads a length and checks it against {@code max} before the caller allocates. */
    static int getLength(ByteBuffer in, int max, String field) throws CodecException {
        int length = getInt(in, field);
        if (length < 0) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, field + " is negative: " + length);
        }
        if (length > max) {
            throw new CodecException(CodecException.Reason.OVERSIZED, field + " " + length + " exceeds " + max);
        }
        return length;
    }

    static byte[] getBytes(ByteBuffer in, int max, String field) throws CodecException {
        int length = getLength(in, max, field);
        need(in, length, field);
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
