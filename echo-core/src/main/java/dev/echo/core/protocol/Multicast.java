package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Arrays;
import java.util.Objects;

/**
 * One view-synchronous multicast (PROTOCOL.md §13): volatile, never journaled except inside the {@link Entry.ViewCut}
 * that ends its view. Immutable once created (the payload is never modified after construction).
 *
 * @param sequence its place in the view's total order, from 1, given by the view's sequencer; 0 while unsequenced (a
 *     member's send to the sequencer)
 * @param sender the member that multicast it
 * @param senderSequence the sender's count of its own multicasts in the view, from 1: the sequencer takes them in
 *     this order without gaps, which is what makes the order FIFO per sender
 * @param payload the application's bytes
 */
public record Multicast(long sequence, MemberId sender, long senderSequence, byte[] payload) {
    /** Validates the coordinates. */
    public Multicast {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(payload, "payload");
        if (sequence < 0 || senderSequence < 1) {
            throw new IllegalArgumentException("bad multicast coordinates " + sequence + "/" + senderSequence);
        }
    }

    /** Approximate in-memory and encoded size, used for flow control. */
    public int sizeBytes() {
        return 32 + payload.length;
    }

    /** The same message with its place in the view's order. */
    Multicast sequenced(long at) {
        return new Multicast(at, sender, senderSequence, payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multicast m
                && m.sequence == sequence
                && m.senderSequence == senderSequence
                && m.sender.equals(sender)
                && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, sender, senderSequence, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Multicast[" + sequence + " " + sender + "#" + senderSequence + ", " + payload.length + "B]";
    }
}
