package dev.echo.core.protocol;

import java.util.Arrays;
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
