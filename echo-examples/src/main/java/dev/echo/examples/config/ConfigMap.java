package dev.echo.examples.config;

import dev.echo.core.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated configuration map: the state machine of the embedding example. Commands are "put key value"; the
 * query is "get key". Deterministic: the same commands in the same order give the same map on every member.
 *
 * <p>Not thread-safe: Echo calls it on the group's loop thread only.
 */
public final class ConfigMap implements StateMachine {
    private final TreeMap<String, String> settings = new TreeMap<>();

    /** The command that sets {@code key} to {@code value}. */
    public static byte[] put(String key, String value) {
        return encode(key, value);
    }

    /** The query that reads {@code key} (empty answer if unset). */
    public static byte[] get(String key) {
        return encode(key, "");
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        String[] keyValue = decode(command);
        String previous = settings.put(keyValue[0], keyValue[1]);
        return (previous == null ? "" : previous).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] query(byte[] query) {
        return settings.getOrDefault(decode(query)[0], "").getBytes(StandardCharsets.UTF_8);
    }

    /** Captures the map (a copy: configuration maps are small) for a snapshot written later. */
    @Override
    public Snapshot snapshot() {
        TreeMap<String, String> copy = new TreeMap<>(settings);
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(copy.size());
            for (Map.Entry<String, String> setting : copy.entrySet()) {
                data.writeUTF(setting.getKey());
                data.writeUTF(setting.getValue());
            }
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int count = data.readInt();
        if (count < 0) {
            throw new IOException("negative setting count in snapshot: " + count);
        }
        TreeMap<String, String> restored = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            restored.put(data.readUTF(), data.readUTF());
        }
        settings.clear();
        settings.putAll(restored);
    }

    private static byte[] encode(String key, String value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(key);
            out.writeUTF(value);
            return bytes.toByteArray();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static String[] decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            return new String[] {in.readUTF(), in.readUTF()};
        } catch (IOException malformed) {
            throw new IllegalArgumentException("not a ConfigMap command", malformed);
        }
    }
}
