package dev.echo.core.storage;

import dev.echo.core.MemberId;
import java.util.Objects;

/**
 * Who this member is in a group (PROTOCOL.md §5): recorded durably before the member takes part at all, so that a
 * restarted member keeps its identity and a wiped one returns with a new incarnation. Immutable.
 *
 * @param groupName the group's name: 1 to 64 characters from {@code [A-Za-z0-9._-]}
 * @param member this member's id in the group
 * @param incarnation distinguishes lives of a member id; a member whose disk was wiped gets a new one
 */
public record GroupIdentity(String groupName, MemberId member, long incarnation) {
    /** Validates the name (same alphabet and length as a member id) and the incarnation. */
    public GroupIdentity {
        Objects.requireNonNull(member, "member");
        MemberId.requireName(groupName, "group name");
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
        }
    }
}
