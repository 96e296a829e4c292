package dev.echo.core.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link TransportMetrics}, shared by every transport implementation so that they count the
 * same things the same way.
 *
 * <p>Thread-safe: each counter is a {@link LongAdder}, cheap to bump from I/O threads and callers at once.
 */
public final class TransportCounters {
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder decodeErrors = new LongAdder();
    private final LongAdder authFailures = new LongAdder();
    private final LongAdder handshakeRefusals = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder linkTimeouts = new LongAdder();

    /** All counters at zero. */
    public TransportCounters() {}

    /** One message of {@code bytes} went to the network. */
    public void sent(int bytes) {
        messagesOut.increment();
        bytesOut.add(bytes);
    }

    /** {@code bytes} arrived (counted before decoding, so garbage is visible too). */
    public void receivedBytes(int bytes) {
        bytesIn.add(bytes);
    }

    /** One envelope was delivered to the listener. */
    public void delivered() {
        messagesIn.increment();
    }

    /** One outbound message was dropped. */
    public void dropped() {
        dropped.increment();
    }

    /** {@code count} outbound messages were dropped. */
    public void dropped(int count) {
        dropped.add(count);
    }

    /** One frame or datagram was malformed. */
    public void decodeError() {
        decodeErrors.increment();
    }

    /** One peer or datagram failed authentication. */
    public void authFailure() {
        authFailures.increment();
    }

    /** One handshake was refused (by us or by the peer). */
    public void handshakeRefused() {
        handshakeRefusals.increment();
    }

    /** One connection was closed because its peer answered nothing for the link timeout. */
    public void linkTimedOut() {
        linkTimeouts.increment();
    }

    /** One reconnection attempt started. */
    public void reconnect() {
        reconnects.increment();
    }

    /** A snapshot of every counter. */
    public TransportMetrics snapshot() {
        return new TransportMetrics(
                messagesOut.sum(),
                bytesOut.sum(),
                messagesIn.sum(),
                bytesIn.sum(),
                dropped.sum(),
                decodeErrors.sum(),
                authFailures.sum(),
                handshakeRefusals.sum(),
                reconnects.sum(),
                linkTimeouts.sum());
    }
}
