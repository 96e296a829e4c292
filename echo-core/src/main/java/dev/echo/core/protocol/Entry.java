package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One log entry: its position, the term of the leader that created it, and what it carries. Immutable once
 * created (the command bytes are never modified after construction).
 *
 * @param index position in the log, from 1
 * @param term term of the leader that appended it, from 1
 * @param payload what the entry carries
 */
public record Entry(long index, long term, Payload payload) {
    /** Validates the position. */
    public Entry {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("entry index and term start at 1: " + index + "/" + term);
        }
        Objects.requireNonNull(payload, "payload");
    }

    /** Approximate encoded size, used to bound batches. */
    public int sizeBytes() {
        return 24 + payload.sizeBytes();
    }

    /** What an entry carries. */
    public sealed interface Payload {
        /** Approximate encoded size of the payload. */
        int sizeBytes();
    }

    /** The entry every new leader appends first (PROTOCOL.md §6): committing it commits all earlier entries. */
    public record NoOp() implements Payload {
        @Override
        public int sizeBytes() {
            return 0;
        }
    }

    /**
     * Opens (or re-opens, idempotently) a client session for exactly-once commands (PROTOCOL.md §6).
     *
     * @param clientId the session's id, chosen by the client
     */
    public record OpenSession(long clientId) implements Payload {
        @Override
        public int sizeBytes() {
            return 8;
        }
    }

    /**
     * An application command with its session coordinates.
     *
     * @param clientId the session
     * @param sequence the command's number in the session, from 1
     * @param ackedSequence every sequence up to this one has been answered to the client; results may be forgotten
     * @param command the application's bytes (never modified)
     */
    public record Command(long clientId, long sequence, long ackedSequence, byte[] command) implements Payload {
        /** Validates the coordinates. */
        public Command {
            Objects.requireNonNull(command, "command");
            if (sequence < 1 || ackedSequence < 0 || ackedSequence >= sequence) {
                throw new IllegalArgumentException("bad session coordinates " + sequence + "/" + ackedSequence);
            }
        }

        @Override
        public int sizeBytes() {
            return 24 + command.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Command c
                    && c.clientId == clientId
                    && c.sequence == sequence
                    && c.ackedSequence == ackedSequence
                    && Arrays.equals(c.command, command);
        }

        @Override
        public int hashCode() {
            return Objects.hash(clientId, sequence, ackedSequence, Arrays.hashCode(command));
        }

        @Override
        public String toString() {
            return "Command[" + clientId + "#" + sequence + ", acked=" + ackedSequence + ", " + command.length + "B]";
        }
    }

    /**
     * Ends one multicast view and installs the next (PROTOCOL.md §13): the log is where the group agrees on the cut.
     * Every member that takes part in both views delivers the ended view's multicasts up to {@code cutSequence}
     * (those it lacks are in {@code tail}) before it installs the new view, whose epoch is this entry's index.
     *
     * @param endedEpoch the epoch of the view this cut ends; 0 for the first view
     * @param cutSequence the last multicast of the ended view that is delivered in it
     * @param sequencer the member that orders the new view's multicasts: the leader that appended this entry
     * @param participants the new view's members in rank order, each as one process life
     * @param tail the ended view's multicasts after the point every continuing participant is known to hold, up to
     *     {@code cutSequence}, in order
     */
    public record ViewCut(
            long endedEpoch, long cutSequence, MemberId sequencer, List<Participant> participants, List<Multicast> tail)
            implements Payload {
        /** Validates the cut and freezes the lists. */
        public ViewCut {
            Objects.requireNonNull(sequencer, "sequencer");
            participants = List.copyOf(participants);
            tail = List.copyOf(tail);
            if (endedEpoch < 0 || cutSequence < 0 || tail.size() > cutSequence) {
                throw new IllegalArgumentException("bad view cut " + endedEpoch + "/" + cutSequence);
            }
            long expected = cutSequence - tail.size() + 1;
            for (Multicast multicast : tail) {
                if (multicast.sequence() != expected++) {
                    throw new IllegalArgumentException("the tail of a cut must run consecutively up to the cut");
                }
            }
        }

        @Override
        public int sizeBytes() {
            int size = 32 + 24 * participants.size();
            for (Multicast multicast : tail) {
                size += multicast.sizeBytes();
            }
            return size;
        }
    }

    /**
     * A configuration entry (PROTOCOL.md §3): from the moment it is in a log, that log's owner uses it.
     *
     * @param configuration the configuration in force from this entry on
     */
    public record ConfigurationChange(QuorumSystem configuration) implements Payload {
        /** Requires a configuration. */
        public ConfigurationChange {
            Objects.requireNonNull(configuration, "configuration");
        }

        @Override
        public int sizeBytes() {
            return 16 * configuration.members().size();
        }
    }
}
