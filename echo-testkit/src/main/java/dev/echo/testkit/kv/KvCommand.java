package dev.echo.testkit.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    /**
     * Parses wire bytes; throws {@link IllegalArgumentException} for anything malformed. The linearizability check
     * decodes every pair of operations it compares, so this scans the bytes once instead of splitting a string (UTF-8
     * never uses a zero byte inside another character, so the separators are found byte by byte).
     */
    public static KvCommand decode(byte[] bytes) {
        int first = separatorAfter(bytes, 0);
        int second = separatorAfter(bytes, first + 1);
        int third = separatorAfter(bytes, second + 1);
        if (third == bytes.length || separatorAfter(bytes, third + 1) != bytes.length) {
            throw new IllegalArgumentException("malformed kv command: not 4 fields");
        }
        return new KvCommand(
                kind(new String(bytes, 0, first, StandardCharsets.UTF_8)),
                text(bytes, first + 1, second),
                text(bytes, second + 1, third),
                text(bytes, third + 1, bytes.length));
    }

    /**
     * The kind of an encoded command, read from its first field alone (the other fields are not checked): the
     * linearizability check asks it of every pair of operations it compares, where {@link #decode} would read them all.
     */
    public static Kind kindOf(byte[] bytes) {
        return kind(new String(bytes, 0, separatorAfter(bytes, 0), StandardCharsets.UTF_8));
    }

    /** Whether an encoded command's value (a put's or a compare-and-set's new value) is exactly {@code text}'s bytes. */
    public static boolean valueEquals(byte[] command, byte[] text) {
        return text != null && fieldEquals(command, 2, text, 0, text.length);
    }

    /** Whether one encoded compare-and-set's expected value is another encoded command's value. */
    public static boolean expectedIsValueOf(byte[] cas, byte[] command) {
        int from = fieldStart(cas, 3);
        return fieldEquals(command, 2, cas, from, separatorAfter(cas, from));
    }

    private static boolean fieldEquals(byte[] command, int field, byte[] other, int from, int to) {
        int start = fieldStart(command, field);
        int end = separatorAfter(command, start);
        return Arrays.equals(command, start, end, other, from, to);
    }

    /** Where field {@code field} (0 = the kind) of an encoded command starts. */
    private static int fieldStart(byte[] bytes, int field) {
        int at = 0;
        for (int i = 0; i < field; i++) {
            at = Math.min(separatorAfter(bytes, at) + 1, bytes.length);
        }
        return at;
    }

    /** The index of the first separator at or after {@code from}, or the length when there is none. */
    private static int separatorAfter(byte[] bytes, int from) {
        int at = Math.min(from, bytes.length);
        while (at < bytes.length && bytes[at] != SEPARATOR) {
            at++;
        }
        return at;
    }

    private static Kind kind(String name) {
        return switch (name) {
            case "PUT" -> Kind.PUT;
            case "GET" -> Kind.GET;
            case "CAS" -> Kind.CAS;
            default -> throw new IllegalArgumentException("malformed kv command: unknown kind " + name);
        };
    }

    private static String text(byte[] bytes, int from, int to) {
        return from >= to ? "" : new String(bytes, from, to - from, StandardCharsets.UTF_8);
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
