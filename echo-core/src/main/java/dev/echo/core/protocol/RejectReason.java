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
    /** Malformed request: bad sequence numbers. */
    INVALID
}
