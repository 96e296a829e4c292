package dev.echo.testkit.kv;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A command or query of the key-value workload: put, get, compare-and-set. Encoded as UTF-8 text fields separated
 * by a NUL character, so keys and values may hold anything else. Immutable.
 *
 * @param kind the operation
 * @param key the key
 * @param value put: the new value; cas: the new value; get: unused (empty)
 * @param expected cas: the value the key must hold (empty string = absent); otherwise unused
 */
public record KvCommand(Kind kind, String key, String value, String expected) {
    private static final char SEPARATOR = '\0';

    /** The operations. */
    public enum Kind {
        /** Set the key to a value; result "OK". */
        PUT,
        /** Read the key; result its value, or the empty string when absent. */
        GET,
        /** Set the key to {@code value} if it holds {@code expected}; result "1" or "0". */
        CAS
    }

    /** Validates fields. */
    public KvCommand {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expected, "expected");
    }

    /** A put. */
    public static KvCommand put(String key, String value) {
        return new KvCommand(Kind.PUT, key, value, "");
    }

    /** A get. */
    public static KvCommand get(String key) {
        return new KvCommand(Kind.GET, key, "", "");
    }

    /** A compare-and-set. */
    public static KvCommand cas(String key, String expected, String value) {
        return new KvCommand(Kind.CAS, key, value, expected);
    }

    /** The wire bytes. */
    public byte[] encode() {
        return (kind.name() + SEPARATOR + key + SEPARATOR + value + SEPARATOR + expected)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Parses wire bytes; throws {@link IllegalArgumentException} for anything malformed. */
    public static KvCommand decode(byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.UTF_8).split(String.valueOf(SEPARATOR), -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("malformed kv command: " + parts.length + " fields");
        }
        return new KvCommand(Kind.valueOf(parts[0]), parts[1], parts[2], parts[3]);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PUT -> "put(" + key + "=" + value + ")";
            case GET -> "get(" + key + ")";
            case CAS -> "cas(" + key + ":" + expected + "->" + value + ")";
        };
    }
}
