package dev.echo.core;

/**
 * Why an operation on a {@link ReplicatedGroup} or an {@link dev.echo.core.node.EchoNode} failed. {@link #certainlyNotApplied()} tells a
 * client whether it may simply retry (the operation had no effect) or must treat the outcome as unknown (a timeout:
 * it may or may not have been applied; retrying through the same {@link ReplicatedGroup} is still exactly-once only
 * while the original attempt is pending).
 *
 * <p>Immutable; safe to share between threads.
 */
public final class EchoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** This member hears no live leader of a quorum: writes are paused, nothing was applied. */
        NO_QUORUM(true),
        /** This member is not in the group's configuration (removed, or not yet added); nothing was applied. */
        NOT_MEMBER(true),
        /** Too many operations are in flight at this member (backpressure); nothing was applied. */
        OVERLOADED(true),
        /** The command or query exceeds the configured size limit; nothing was applied. */
        TOO_LARGE(true),
        /** The client session expired (too long idle); nothing was applied. A new session is opened on retry. */
        SESSION_EXPIRED(true),
        /** A membership change was asked of a member that does not lead; nothing changed. Ask the leader. */
        NOT_LEADER(true),
        /** Another membership change is still in progress (one at a time); nothing changed. Retry later. */
        CHANGE_IN_PROGRESS(true),
        /** The request was malformed; nothing was applied. */
        INVALID(true),
        /**
         * A membership change asked from a member that is not a voter, other than adding itself as a learner or
         * leaving; nothing changed. Ask from a voter, or from the leader's application.
         */
        UNAUTHORISED(true),
        /**
         * A membership change would make a voter of a member that has not caught up with the leader's log within the
         * request timeout (PROTOCOL.md §8); nothing changed. Check that the member runs and is reachable, then retry.
         */
        NOT_CAUGHT_UP(true),
        /**
         * This member takes part in no multicast view right now (it is being let into one, or the view is being cut);
         * nothing was delivered. Retry shortly.
         */
        NOT_IN_VIEW(true),
        /**
         * The multicast view ended before the multicast was ordered: no member that moved on to the next view delivered
         * it. Multicast again if it still matters.
         */
        VIEW_CHANGED(true),
        /**
         * This member left the multicast view (left out of the next one, or brought up to date by a state transfer)
         * before it delivered its own multicast: others may or may not have delivered it.
         */
        LEFT_VIEW(false),
        /** The group or node was closed before the operation was accepted; nothing was applied. */
        CLOSED(true),
        /** The node's storage failed (fail-stop) or this member's log is damaged; outcome unknown. */
        STORAGE_FAILED(false),
        /**
         * This member's disk is full: it accepts no writes until space returns (it resumes by itself), while everything
         * it acknowledged stays durable; nothing was applied. Retry later, or at another member.
         */
        STORAGE_FULL(true),
        /** No outcome within the request timeout: the operation may or may not have been applied. */
        TIMEOUT(false),
        /**
         * The group stopped at this member because its state machine or Echo itself threw unexpectedly (fail-stop,
         * logged with the cause); outcome unknown.
         */
        INTERNAL_ERROR(false);

        private final boolean certainlyNotApplied;

        Reason(boolean certainlyNotApplied) {
            this.certainlyNotApplied = certainlyNotApplied;
        }

        /** Whether an operation failing for this reason certainly had no effect. */
        public boolean certainlyNotApplied() {
            return certainlyNotApplied;
        }
    }

    private final Reason reason;

    /** Creates an exception with its reason and a message for people. */
    public EchoException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** Creates an exception with its reason, a message for people and the cause. */
    public EchoException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }

    /** Whether the failed operation certainly had no effect, so that retrying it is safe. */
    public boolean certainlyNotApplied() {
        return reason.certainlyNotApplied();
    }
}
