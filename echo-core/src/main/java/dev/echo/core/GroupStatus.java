package dev.echo.core;

import java.util.Objects;
import java.util.Optional;

/**
 * A member's standing in one group at a moment (PROTOCOL.md §9). Immutable.
 *
 * @param role what this member is doing
 * @param term the current term: a fencing epoch that only grows
 * @param leader the leader this member follows, if it knows one
 * @param commitIndex the highest log index known committed
 * @param lastApplied the highest log index applied to the state machine
 */
public record GroupStatus(Role role, long term, Optional<MemberId> leader, long commitIndex, long lastApplied) {
    /** What a member is doing. */
    public enum Role {
        /** Leads the primary component: accepts writes. */
        LEADER,
        /** Follows a live leader of the primary component: forwards writes to it. */
        FOLLOWER,
        /** Hears no live leader: writes fail with {@link EchoException.Reason#NO_QUORUM}; nothing is lost. */
        NO_QUORUM,
        /** Not in the group's configuration: removed, or not yet added. Writes fail with {@code NOT_MEMBER}. */
        NOT_MEMBER,
        /** The node's journal failed or this member's log is damaged: it neither votes nor acknowledges. */
        STORAGE_FAULTED,
        /** The group was closed at this member. */
        CLOSED
    }

    /** Requires a role and a leader option. */
    public GroupStatus {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(leader, "leader");
    }

    /** Whether this member is part of a working quorum (leader or follower of a live leader). */
    public boolean hasQuorum() {
        return role == Role.LEADER || role == Role.FOLLOWER;
    }
}
