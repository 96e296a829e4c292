package dev.echo.core.codec;

/**
 * Bytes that do not decode to a valid Echo value: truncated, oversized, of an unknown type or version, or carrying a
 * value the protocol forbids. Decoders throw it instead of any runtime exception, so a transport or journal can
 * count the error and drop the frame, record or connection.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class CodecException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the bytes were refused. */
    public enum Reason {
        /** Fewer bytes than the encoding announces. */
        TRUNCATED,
        /** A length or count above its configured bound. */
        OVERSIZED,
        /** A type tag this version does not know. */
        UNKNOWN_TYPE,
        /** A format version this build does not read. */
        UNSUPPORTED_VERSION,
        /** A field whose value the protocol forbids (negative index, bad member id, ...). */
        INVALID_VALUE,
        /** Bytes left over after a complete value. */
        TRAILING_BYTES
    }

    private final Reason reason;

    /** Creates an error with its reason and a message that names the offending field. */
    public CodecException(Reason reason, String message) {
        super(reason + ": " + message, null, false, false);
        this.reason = reason;
    }

    /** Why the bytes were refused. */
    public Reason reason() {
        return reason;
    }
}
