package dev.echo.core.transport;

/**
 * A transport could not be started or configured. Failures while running (a lost connection, a refused handshake,
 * a malformed frame) are never thrown at the caller: they are logged, counted in {@link TransportMetrics}, and the
 * transport keeps going.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class TransportException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The local address could not be bound (in use, not local, no permission). */
        BIND_FAILED,
        /** TLS keys or the cluster key could not be loaded or are unusable. */
        BAD_CREDENTIALS,
        /** The call is not allowed in the transport's current state (already started, closed). */
        ILLEGAL_STATE,
        /** Nobody answered at the peer's address in time (refused, unroutable, silent). */
        PEER_UNREACHABLE,
        /** The peer answered but failed the handshake: another cluster, a wrong key or certificate, a refusal. */
        PEER_REFUSED,
        /** This transport cannot do what was asked (an in-memory transport has no addresses to identify). */
        UNSUPPORTED
    }

    private final Reason reason;

    /** Creates an error with its reason, a message naming the address or file, and the cause if any. */
    public TransportException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}
