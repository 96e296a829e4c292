package dev.echo.testkit.kv;

import dev.echo.core.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated key-value map for the simulator's workload: put, get and compare-and-set of strings. Keeps an
 * order-independent digest of its contents so replicas can be compared cheaply at equal applied indexes
 * (PROTOCOL.md §11.7). Not thread-safe; called from the simulator's single thread.
 */
public final class KvStateMachine implements StateMachine {
    private final TreeMap<String, String> data = new TreeMap<>();
    private long digest;
    private long lastIndex;

    @Override
    public byte[] apply(long index, byte[] command) {
        if (index <= lastIndex) {
            throw new IllegalStateException("apply at " + index + " after " + lastIndex);
        }
        lastIndex = index;
        KvCommand kv = KvCommand.decode(command);
        String result =
                switch (kv.kind()) {
                    case PUT -> {
                        set(kv.key(), kv.value());
                        yield "OK";
                    }
                    case GET -> data.getOrDefault(kv.key(), "");
                    case CAS -> {
                        if (data.getOrDefault(kv.key(), "").equals(kv.expected())) {
                            set(kv.key(), kv.value());
                            yield "1";
                        }
                        yield "0";
                    }
                };
        return result.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] query(byte[] query) {
        KvCommand kv = KvCommand.decode(query);
        if (kv.kind() != KvCommand.Kind.GET) {
            throw new IllegalArgumentException("only get is a query: " + kv);
        }
        return data.getOrDefault(kv.key(), "").getBytes(StandardCharsets.UTF_8);
    }

    /** Captures the map (a copy: the simulator's maps are small) with its digest and applied index. */
    @Override
    public Snapshot snapshot() {
        TreeMap<String, String> copy = new TreeMap<>(data);
        long digestNow = digest;
        long indexNow = lastIndex;
        return out -> {
            DataOutputStream stream = new DataOutputStream(out);
            stream.writeLong(indexNow);
            stream.writeLong(digestNow);
            stream.writeInt(copy.size());
            for (Map.Entry<String, String> entry : copy.entrySet()) {
                stream.writeUTF(entry.getKey());
                stream.writeUTF(entry.getValue());
            }
            stream.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream stream = new DataInputStream(in);
        long index = stream.readLong();
        long digestRead = stream.readLong();
        int size = stream.readInt();
        TreeMap<String, String> restored = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            restored.put(stream.readUTF(), stream.readUTF());
        }
        data.clear();
        data.putAll(restored);
        digest = digestRead;
        lastIndex = index;
    }

    /** Digest of the current contents: equal maps give equal digests. */
    public long digest() {
        return digest;
    }

    private void set(String key, String value) {
        String old = data.put(key, value);
        if (old != null) {
            digest ^= entryHash(key, old);
        }
        digest ^= entryHash(key, value);
    }

    private static long entryHash(String key, String value) {
        long h = key.hashCode() * 0x9E3779B97F4A7C15L + value.hashCode();
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }
}
