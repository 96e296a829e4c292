package dev.echo.core.transport;

import dev.echo.core.codec.Envelope;

/**
 * Receives what a {@link Transport} delivered. Only authenticated, fully decoded envelopes arrive here.
 *
 * <p>Threading: called on a transport I/O thread (for the in-memory transport: on the sender's thread), possibly on
 * several threads at once. It must not block and must not run protocol code: it hands the envelope to the group's
 * bounded inbox and returns (ARCHITECTURE.md "The runtime").
 */
@FunctionalInterface
public interface TransportListener {
    /** An envelope arrived from {@code envelope.from()}. */
    void received(Envelope envelope);
}
