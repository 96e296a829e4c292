package dev.echo.examples.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicated key-value map's commands and queries in binary: {@code [op] [count] ([length] bytes)*}. Keys and
 * values are arbitrary bytes, as in Redis. Commands: SET (plain, NX, XX or IFEQ), DEL, INCR. Query: GET of one or
 * more keys. Immutable values; the static codec is thread-safe.
 *
 * @param op what to do
 * @param arguments its byte-string arguments
 */
record KvOp(Op op, List<byte[]> arguments) {
    /** The operations. */
    enum Op {
        /** SET key value: always. */
        SET,
        /** SET key value NX: only if absent. */
        SET_NX,
        /** SET key value XX: only if present. */
        SET_XX,
        /** SET key value IFEQ old: only if the current value equals old. */
        SET_IFEQ,
        /** DEL key...: remove, answer how many existed. */
        DEL,
        /** INCR key: add one to a decimal integer value. */
        INCR,
        /** GET key...: read (a query, never a command). */
        GET
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
        ByteBuffer out = ByteBuffer.allocate(size).put((byte) op.ordinal()).putInt(arguments.size());
        for (byte[] argument : arguments) {
            out.putInt(argument.length).put(argument);
        }
        return out.array();
    }

    /**
     * Decodes what {@link #encode} wrote. Only replicated commands written by this program reach it, so malformed
     * bytes are a bug, reported as an {@link IllegalArgumentException}.
     */
    static KvOp decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int ordinal = in.get();
        if (ordinal < 0 || ordinal >= Op.values().length) {
            throw new IllegalArgumentException("unknown key-value operation " + ordinal);
        }
        int count = in.getInt();
        if (count < 0 || count > in.remaining() / 4) {
            throw new IllegalArgumentException("bad argument count " + count);
        }
        List<byte[]> arguments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] argument = new byte[in.getInt()];
            in.get(argument);
            arguments.add(argument);
        }
        return new KvOp(Op.values()[ordinal], arguments);
    }
}
