package dev.echo.core.transport;

/**
 * Counters of one transport since it was created. Immutable snapshot.
 *
 * @param messagesOut messages handed to the network
 * @param bytesOut bytes handed to the network, framing included
 * @param messagesIn envelopes delivered to the listener
 * @param bytesIn bytes received, framing included
 * @param dropped messages not sent: outbound queue full, peer unknown or not connected long enough, or too large
 * @param decodeErrors frames or datagrams refused as malformed (their connection is closed)
 * @param authFailures peers or datagrams refused by authentication: TLS failures, wrong certificates, bad MACs,
 *     replayed datagrams
 * @param handshakeRefusals connections refused at the handshake: wrong version, cluster id or member id
 * @param reconnects connection attempts after the first one to a peer
 * @param linkTimeouts connections closed because the peer answered nothing for the link timeout (then re-dialled)
 */
public record TransportMetrics(
        long messagesOut,
        long bytesOut,
        long messagesIn,
        long bytesIn,
        long dropped,
        long decodeErrors,
        long authFailures,
        long handshakeRefusals,
        long reconnects,
        long linkTimeouts) {}
