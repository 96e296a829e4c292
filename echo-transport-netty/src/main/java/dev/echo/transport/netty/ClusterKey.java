package dev.echo.transport.netty;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A secret shared by every member of a cluster, with which plain TCP connections authenticate both ends and bind
 * every frame (PROTOCOL.md §10). At least 16 bytes; 32 random bytes ({@link #generate}) are recommended. The bytes
 * are copied in and never printed.
 *
 * <p>Immutable; thread-safe.
 */
public final class ClusterKey {
    /** Fewest bytes a key may have. */
    public static final int MIN_BYTES = 16;

    private final byte[] bytes;

    private ClusterKey(byte[] bytes) {
        Objects.requireNonNull(bytes, "key");
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException(
                    "a cluster key needs at least " + MIN_BYTES + " bytes, this one has " + bytes.length);
        }
        this.bytes = bytes.clone();
    }

    /** A key of these bytes (copied). */
    public static ClusterKey of(byte[] bytes) {
        return new ClusterKey(bytes);
    }

    /** A key written as hexadecimal digits (at least 32 of them), as in a key file or an environment variable. */
    public static ClusterKey fromHex(String hex) {
        try {
            return new ClusterKey(
                    HexFormat.of().parseHex(Objects.requireNonNull(hex, "hex").strip()));
        } catch (IllegalArgumentException notHex) {
            throw new IllegalArgumentException("a cluster key must be hexadecimal digits: " + notHex.getMessage());
        }
    }

    /** 32 fresh random bytes from a {@link SecureRandom}. */
    public static ClusterKey generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new ClusterKey(bytes);
    }

    /** The key as hexadecimal digits, to hand to other members (keep it secret). */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** A copy of the key's bytes, to write a key file every member reads (keep it secret). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterKey key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "ClusterKey[(hidden)]";
    }
}
