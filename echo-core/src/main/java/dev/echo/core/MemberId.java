package dev.echo.core;

import java.util.Objects;

/**
 * The stable name of a member of a process group (for example {@code "n1"} or a host name).
 *
 * <p>Immutable and thread-safe. Ordered by name, which gives every deterministic iteration in Echo its order.
 *
 * @param value the name: 1 to 64 characters from {@code [A-Za-z0-9._-]}
 */
public record MemberId(String value) implements Comparable<MemberId> {
    /** Longest accepted name, so that every frame that carries one has a bounded size. */
    public static final int MAX_LENGTH = 64;

    /** Validates the name. */
    public MemberId {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("member id must have 1.." + MAX_LENGTH + " characters: '" + value + "'");
        }
        if (!usesOnlyNameCharacters(value)) {
            throw new IllegalArgumentException("member id may use only [A-Za-z0-9._-]: '" + value + "'");
        }
    }

    /**
     * Returns {@code value} if it follows the rules of a member id, else throws naming {@code what}. Every name Echo
     * puts in a frame, record or handshake (group names, cluster and node ids) follows these rules, so each has a
     * bounded, printable encoding.
     *
     * @throws IllegalArgumentException {@code "<what> must have 1..64 characters from [A-Za-z0-9._-]: '<value>'"}
     */
    public static String requireName(String value, String what) {
        // Checked in place, without a MemberId: every envelope checks its group name this way.
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !usesOnlyNameCharacters(value)) {
            throw new IllegalArgumentException(
                    what + " must have 1.." + MAX_LENGTH + " characters from [A-Za-z0-9._-]: '" + value + "'");
        }
        return value;
    }

    private static boolean usesOnlyNameCharacters(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Shorthand for {@code new MemberId(value)}. */
    public static MemberId of(String value) {
        return new MemberId(value);
    }

    @Override
    public int compareTo(MemberId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
