package dev.echo.core.protocol;

/** The roles of a member in its group (PROTOCOL.md §6). */
public enum Role {
    /** Follows a leader (or waits for one). */
    FOLLOWER,
    /** Runs a pre-vote; its term is unchanged. */
    PRE_CANDIDATE,
    /** Asks for votes in a new term. */
    CANDIDATE,
    /** Leads its term. */
    LEADER
}
