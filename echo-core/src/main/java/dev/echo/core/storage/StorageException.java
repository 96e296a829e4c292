package dev.echo.core.storage;

/**
 * A typed storage error: damaged or missing data found on recovery, a failed write or force, or a call the journal
 * refuses. {@link #reason()} says which; the message names the file, group and position where known.
 *
 * <p>Immutable; safe to share between threads (the journal hands one instance to every waiter of a failed batch).
 */
public final class StorageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** A record before the end of the journal fails its checksum: data that was durable is damaged. */
        CORRUPT_RECORD,
        /** A segment the group still needs is absent or out of sequence. */
        MISSING_SEGMENT,
        /** The snapshot the group's compacted log starts from is absent. */
        MISSING_SNAPSHOT,
        /** A snapshot file fails its checksum or header checks. */
        CORRUPT_SNAPSHOT,
        /** A write to the journal failed: the journal has stopped (fail-stop) and acknowledges nothing more. */
        WRITE_FAILED,
        /** A force (fsync) failed: the journal has stopped (fail-stop) and acknowledges nothing more. */
        FORCE_FAILED,
        /**
         * The disk is full: a write or a new segment found no space. The journal has stopped (fail-stop) and
         * acknowledges nothing more; everything it acknowledged is durable. Free space, then restart the node.
         */
        STORAGE_FULL,
        /** A record would exceed the configured maximum size. */
        RECORD_TOO_LARGE,
        /** A record of a type this version does not know. */
        UNKNOWN_RECORD_TYPE,
        /** A record or file written by a format version this build does not read. */
        UNSUPPORTED_VERSION,
        /** The directory belongs to another node or cluster. */
        WRONG_OWNER,
        /** A call that the journal's or group's current state does not allow (closed, wrong order, bad range). */
        ILLEGAL_STATE,
        /** Any other I/O failure, such as an unreadable directory. */
        IO
    }

    private final Reason reason;

    /** Creates an error with its reason and a message naming where it happened. */
    public StorageException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** Creates an error with its reason, message and the underlying cause. */
    public StorageException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }

    /** Whether this reason means the journal stopped and every later operation will fail. */
    public boolean isFatal() {
        return reason == Reason.WRITE_FAILED || reason == Reason.FORCE_FAILED || reason == Reason.STORAGE_FULL;
    }
}
