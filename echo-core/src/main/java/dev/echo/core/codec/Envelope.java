package dev.echo.core.codec;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Message;
import java.util.Objects;

/**
 * One protocol message on its way between members: the group it belongs to, the sender's incarnation
 * (PROTOCOL.md §10: messages carry group id, sender id + incarnation and term) and the message, which names the
 * sender and term itself. Immutable.
 *
 * @param group the group's name: 1 to 64 characters from {@code [A-Za-z0-9._-]}
 * @param incarnation the sender's incarnation in that group, at least 0
 * @param message the message
 */
public record Envelope(String group, long incarnation, Message message) {
    /** Validates the group name and the incarnation. */
    public Envelope {
        Objects.requireNonNull(message, "message");
        requireGroupName(group);
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
        }
    }

    /** The sending member. */
    public MemberId from() {
        return message.from();
    }

    /** Throws unless {@code name} is a valid group name (the same alphabet and length as a member id). */
    public static void requireGroupName(String name) {
        MemberId.requireName(name, "group name");
    }
}
