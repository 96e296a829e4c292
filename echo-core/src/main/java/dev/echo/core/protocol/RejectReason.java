package dev.echo.core.protocol;

/** Why an operation was certainly not applied by this attempt. */
public enum RejectReason {
    /** This member hears no live leader (PROTOCOL.md §9); retry when the quorum is regained. */
    NO_QUORUM,
    /** The session is unknown or expired; open a new one. */
    SESSION_EXPIRED,
    /** The sequence was already acknowledged by the client and its result forgotten. */
    STALE_SEQUENCE,
    /** Too many operations are pending at this member (backpressure). */
    OVERLOADED,
    /** The command or query exceeds the configured size limit. */
    TOO_LARGE,
    /** Malformed request: bad sequence numbers, or a configuration change that changes nothing or is impossible. */
    INVALID,
    /** Only the leader accepts configuration changes; retry at the leader. */
    NOT_LEADER,
    /** Another configuration change is in progress (PROTOCOL.md §3 rule 2: one at a time), or the leader has not yet
     * committed an entry of its term; retry shortly. */
    CHANGE_IN_PROGRESS,
    /** This member is not in the group's configuration (removed, or not yet added). */
    NOT_MEMBER,
    /**
     * A membership change asked by a member that may not make it (PROTOCOL.md §10): only a voter, or the leader's own
     * application, may promote, remove others, re-weight or re-rank; any member may add itself as a learner or leave.
     */
    UNAUTHORISED,
    /**
     * A membership change would make a voter of a member that has not caught up with the leader's log (PROTOCOL.md
     * §8): its vote would be needed before it could give it, and commits would stall. Nothing changed; retry once it
     * has caught up.
     */
    NOT_CAUGHT_UP
}
