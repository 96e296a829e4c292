package dev.echo.core.transport;

/** What a transport knows of its link to one peer ({@link Transport#peerState}). */
public enum PeerState {
    /** A connection to the peer is up (it completed the handshake and answers). */
    CONNECTED,
    /** The transport tried to reach the peer and has no working connection to it now. */
    UNREACHABLE,
    /** The transport has not tried yet, or cannot tell (connectionless and in-memory transports). */
    UNKNOWN
}
