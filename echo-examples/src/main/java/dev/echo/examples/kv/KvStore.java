package dev.echo.examples.kv;

import dev.echo.core.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicated state of echo-kv: a map from byte-string keys to byte-string values. Results are encoded for
 * {@link RespHandler}: SET answers {@code [1]} (done) or {@code [0]} (condition not met, Redis nil); DEL an 8-byte
 * count; INCR {@code [1][8-byte value]} or {@code [0][error text]}; GET {@code ([present][length][bytes])*}.
 *
 * <p>Not thread-safe: Echo calls it on the group's loop thread only, in log order.
 */
final class KvStore implements StateMachine {
    /** No key or value comes near this; a longer length field in a snapshot means damage. */
    private static final int MAX_SNAPSHOT_FIELD_BYTES = 1 << 29;

    private final Map<Key, byte[]> data = new HashMap<>();

    @Override
    public byte[] apply(long index, byte[] command) {
        KvOp op = KvOp.decode(command);
        switch (op.op()) {
            case SET:
                return set(op, true);
            case SET_NX:
                return set(op, !data.containsKey(new Key(op.arguments().get(0))));
            case SET_XX:
                return set(op, data.containsKey(new Key(op.arguments().get(0))));
            case SET_IFEQ:
                byte[] current = data.get(new Key(op.arguments().get(0)));
                return set(
                        op,
                        current != null && Arrays.equals(current, op.arguments().get(2)));
            case DEL:
                long removed = 0;
                for (byte[] key : op.arguments()) {
                    if (data.remove(new Key(key)) != null) {
                        removed++;
                    }
                }
                return ByteBuffer.allocate(8).putLong(removed).array();
            case INCR:
                return increment(op.arguments().get(0));
            default:
                throw new IllegalArgumentException(op.op() + " is not a command");
        }
    }

    @Override
    public byte[] query(byte[] query) {
        KvOp op = KvOp.decode(query);
        int size = 0;
        byte[][] values = new byte[op.arguments().size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(new Key(op.arguments().get(i)));
            size += 1 + 4 + (values[i] == null ? 0 : values[i].length);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (byte[] value : values) {
            if (value == null) {
                out.put((byte) 0).putInt(0);
            } else {
                out.put((byte) 1).putInt(value.length).put(value);
            }
        }
        return out.array();
    }

    /**
     * Captures the map for a snapshot: a copy of the entries, O(n) on the loop thread (values are immutable once
     * stored, so they are shared, not copied). The O(n log n) sort into key order is left to the writer, which runs
     * off the loop thread: it held the loop for tens of milliseconds per snapshot at 100,000 keys.
     */
    @Override
    public Snapshot snapshot() {
        List<Map.Entry<Key, byte[]>> copy = new ArrayList<>(data.entrySet().size());
        for (Map.Entry<Key, byte[]> entry : data.entrySet()) {
            copy.add(Map.entry(entry.getKey(), entry.getValue()));
        }
        return out -> {
            // In key order, not the hash map's: equal states give equal snapshot bytes at every member.
            copy.sort((a, b) -> Arrays.compare(a.getKey().bytes(), b.getKey().bytes()));
            DataOutputStream stream = new DataOutputStream(out);
            stream.writeInt(copy.size());
            for (Map.Entry<Key, byte[]> entry : copy) {
                writeBytes(stream, entry.getKey().bytes());
                writeBytes(stream, entry.getValue());
            }
            stream.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream stream = new DataInputStream(in);
        int count = stream.readInt();
        if (count < 0) {
            throw new IOException("negative key count in snapshot: " + count);
        }
        Map<Key, byte[]> restored = new HashMap<>();
        for (int i = 0; i < count; i++) {
            restored.put(new Key(readBytes(stream)), readBytes(stream));
        }
        data.clear();
        data.putAll(restored);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_SNAPSHOT_FIELD_BYTES) {
            throw new IOException("impossible length in snapshot: " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private byte[] set(KvOp op, boolean condition) {
        if (!condition) {
            return new byte[] {0};
        }
        data.put(new Key(op.arguments().get(0)), op.arguments().get(1));
        return new byte[] {1};
    }

    private byte[] increment(byte[] key) {
        byte[] current = data.get(new Key(key));
        long value;
        try {
            value = current == null ? 0 : Long.parseLong(new String(current, StandardCharsets.US_ASCII));
        } catch (NumberFormatException notANumber) {
            return error("value is not an integer or out of range");
        }
        if (value == Long.MAX_VALUE) {
            return error("increment or decrement would overflow");
        }
        value++;
        data.put(new Key(key), Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        return ByteBuffer.allocate(9).put((byte) 1).putLong(value).array();
    }

    private static byte[] error(String message) {
        byte[] text = message.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(1 + text.length).put((byte) 0).put(text).array();
    }

    /** A byte-string key with value equality. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Arrays.equals(bytes, key.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
