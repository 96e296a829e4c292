package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.protocol.RejectReason;
import dev.echo.core.storage.StorageException;

/**
 * The one translation of the core's {@link RejectReason}s (certainly not applied) into the typed
 * {@link EchoException}s the application sees, for commands, reads and membership changes alike. Stateless.
 */
final class Rejections {
    private Rejections() {}

    /**
     * The exception for a storage failure (fail-stop): {@code STORAGE_FAILED}, with the journal's typed exception as
     * its cause (a full disk that stopped the journal, rare since a full disk pauses writes instead, included).
     */
    static EchoException ofStorage(String message, StorageException cause) {
        return new EchoException(EchoException.Reason.STORAGE_FAILED, message, cause);
    }

    /** The exception for a write refused while this member's disk is full: certainly not applied. */
    static EchoException storageFull(String group) {
        return new EchoException(
                EchoException.Reason.STORAGE_FULL,
                "the disk of this member of " + group + " is full: writes are paused until space returns; nothing was"
                        + " applied, retry later or at another member");
    }

    /** The exception for {@code reason}. */
    static EchoException of(RejectReason reason) {
        return of(reason, null);
    }

    /** The exception for {@code reason}, its message starting with {@code what} (the operation) when given. */
    static EchoException of(RejectReason reason, String what) {
        String prefix = what == null ? "" : what + ": ";
        return switch (reason) {
            case NOT_MEMBER ->
                new EchoException(
                        EchoException.Reason.NOT_MEMBER, prefix + "this member is not in the group's configuration");
            case NO_QUORUM ->
                new EchoException(EchoException.Reason.NO_QUORUM, prefix + "this member hears no live leader");
            case OVERLOADED ->
                new EchoException(EchoException.Reason.OVERLOADED, prefix + "too many requests pending at this member");
            case TOO_LARGE ->
                new EchoException(EchoException.Reason.TOO_LARGE, prefix + "the command or query is too large");
            case SESSION_EXPIRED ->
                new EchoException(EchoException.Reason.SESSION_EXPIRED, prefix + "the client session expired");
            case NOT_LEADER ->
                new EchoException(EchoException.Reason.NOT_LEADER, prefix + "the member asked does not lead; retry");
            case CHANGE_IN_PROGRESS ->
                new EchoException(
                        EchoException.Reason.CHANGE_IN_PROGRESS,
                        prefix + "another change is in progress, or a new leader has not committed its first entry");
            case UNAUTHORISED ->
                new EchoException(
                        EchoException.Reason.UNAUTHORISED,
                        prefix + "only a voter may make this change; a non-voter may add itself as a learner or leave");
            case NOT_CAUGHT_UP ->
                new EchoException(
                        EchoException.Reason.NOT_CAUGHT_UP,
                        prefix + "the new voter has not caught up with the leader's log; is it running and reachable?");
            case INVALID, STALE_SEQUENCE ->
                new EchoException(EchoException.Reason.INVALID, prefix + "rejected as invalid (" + reason + ")");
        };
    }
}
