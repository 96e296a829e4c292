package dev.echo.core.protocol;

/**
 * A member's view of its standing in the group (PROTOCOL.md §9).
 */
public enum MemberStatus {
    /** Leads the primary component: accepts writes. */
    LEADER,
    /** Follows a live leader of the primary component: forwards writes to it. */
    FOLLOWER,
    /** Hears no live leader: new writes are rejected with {@link RejectReason#NO_QUORUM}, nothing is lost. */
    NO_QUORUM,
    /** Not in the configuration in force: removed, or not yet added. It neither votes nor campaigns. */
    NOT_MEMBER,
    /**
     * Its journal found durable data damaged or missing (PROTOCOL.md §5): it neither votes, campaigns nor acknowledges
     * until the leader repairs it (with its snapshot, or its whole log from entry 1), as its next incarnation.
     */
    STORAGE_FAULTED
}
