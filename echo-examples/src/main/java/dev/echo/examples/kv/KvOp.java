package dev.echo.examples.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicated key-value map's commands and queries in binary: {@code [op] [count] ([length] bytes)*}, where
 * {@code op} is the operation's fixed {@link Op#code}. These bytes live on in journals and snapshots, so codes are
 * never reused or renumbered: a new operation takes a new code. Keys and values are arbitrary bytes, as in Redis. Commands: SET (plain, NX, XX or IFEQ), DEL, INCR. Query: GET of one or
 * more keys. Immutable values; the static codec is thread-safe.
 *
 * @param op what to do
 * @param arguments its byte-string arguments
 */
record KvOp(Op op, List<byte[]> arguments) {
    /** The operations, each with its code on the wire and on disk. */
    enum Op {
        /** SET key value: always. */
        SET(0),
        /** SET key value NX: only if absent. */
        SET_NX(1),
        /** SET key value XX: only if present. */
        SET_XX(2),
        /** SET key value IFEQ old: only if the current value equals old. */
        SET_IFEQ(3),
        /** DEL key...: remove, answer how many existed. */
        DEL(4),
        /** INCR key: add one to a decimal integer value. */
        INCR(5),
        /** GET key...: read (a query, never a command). */
        GET(6);

        /** The operation's byte in the encoding; fixed forever. */
        final byte code;

        Op(int code) {
            this.code = (byte) code;
        }

        static Op ofCode(byte code) {
            for (Op op : values()) {
                if (op.code == code) {
                    return op;
                }
            }
            throw new IllegalArgumentException("unknown key-value operation " + code);
        }
    }

    KvOp {
        arguments = List.copyOf(arguments);
    }

    static KvOp of(Op op, byte[]... arguments) {
        return new KvOp(op, List.of(arguments));
    }

    byte[] encode() {
        int size = 1 + 4;
        for (byte[] argument : arguments) {
            size += 4 + argument.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(op.code).putInt(arguments.size());
        for (byte[] argument : arguments) {
            out.putInt(argument.length).put(argument);
        }
        return out.array();
    }

    /**
     * Decodes what {@link #encode} wrote. Only replicated commands written by this program reach it, so malformed
     * bytes are a bug, reported as an {@link IllegalArgumentException}: never a huge allocation or another exception.
     */
    static KvOp decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.remaining() < 1 + 4) {
            throw new IllegalArgumentException("key-value operation of " + bytes.length + " bytes is too short");
        }
        Op op = Op.ofCode(in.get());
        int count = in.getInt();
        if (count < 0 || count > in.remaining() / 4) {
            throw new IllegalArgumentException("bad argument count " + count);
        }
        List<byte[]> arguments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.remaining() >= 4 ? in.getInt() : -1;
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("argument " + i + " runs past the end of the operation");
            }
            byte[] argument = new byte[length];
            in.get(argument);
            arguments.add(argument);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the last argument");
        }
        return new KvOp(op, arguments);
    }
}
