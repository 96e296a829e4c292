package dev.echo.core.codec;

import dev.echo.core.MemberId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The names the codec decoded lately, so that a name seen again (the group and the sender of nearly every message are
 * the same few) comes back without a copy, a new string or a second check of its characters. A small direct-mapped
 * table keyed by the hash of the encoded bytes; a slot is compared byte by byte before it is used, so two names that
 * share a slot only miss.
 *
 * <p>Thread-safe without locks: a slot holds an immutable value that was checked before it was stored (final fields
 * publish it safely), and a lost or overwritten store costs only a later miss.
 */
final class DecodedNames {
    private static final int SLOTS = 256;
    private static final MemberId[] MEMBER_IDS = new MemberId[SLOTS];
    private static final String[] GROUP_NAMES = new String[SLOTS];

    private DecodedNames() {}

    /**
     * The member id of the {@code length} ASCII bytes at {@code in}'s position, which then moves past them.
     *
     * @throws IllegalArgumentException if they are not a valid member id (as {@link MemberId} refuses it)
     */
    static MemberId memberId(ByteBuffer in, int length) {
        int hash = hash(in, length);
        int slot = hash & (SLOTS - 1);
        MemberId seen = MEMBER_IDS[slot];
        if (seen != null && sameName(in, length, hash, seen.value())) {
            in.position(in.position() + length);
            return seen;
        }
        MemberId id = new MemberId(ascii(in, length));
        MEMBER_IDS[slot] = id;
        return id;
    }

    /**
     * The group name of the {@code length} ASCII bytes at {@code in}'s position, which then moves past them.
     *
     * @throws IllegalArgumentException if they are not a valid group name ({@link Envelope#requireGroupName})
     */
    static String groupName(ByteBuffer in, int length) {
        int hash = hash(in, length);
        int slot = hash & (SLOTS - 1);
        String seen = GROUP_NAMES[slot];
        if (seen != null && sameName(in, length, hash, seen)) {
            in.position(in.position() + length);
            return seen;
        }
        String name = ascii(in, length);
        Envelope.requireGroupName(name);
        GROUP_NAMES[slot] = name;
        return name;
    }

    /** {@link String#hashCode} of the name the bytes spell, read in place. */
    private static int hash(ByteBuffer in, int length) {
        int at = in.position();
        int hash = 0;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + (in.get(at + i) & 0xFF);
        }
        return hash;
    }

    private static boolean sameName(ByteBuffer in, int length, int hash, String name) {
        if (name.length() != length || name.hashCode() != hash) {
            return false;
        }
        int at = in.position();
        for (int i = 0; i < length; i++) {
            if ((in.get(at + i) & 0xFF) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(ByteBuffer in, int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
