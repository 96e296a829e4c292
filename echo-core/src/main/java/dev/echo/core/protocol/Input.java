package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.List;
import java.util.Objects;

/**
 * Everything that can happen to a group member: the only argument of {@link GroupProtocol#step}. Immutable.
 */
public sealed interface Input {
    /** Which input this is: what {@link GroupProtocol#step} switches on, so a new kind fails to compile there. */
    Kind kind();

    /** The kinds of input. */
    enum Kind {
        /** {@link Tick}. */
        TICK,
        /** {@link Receive}. */
        RECEIVE,
        /** {@link Persisted}. */
        PERSISTED,
        /** {@link OpenSession}. */
        OPEN_SESSION,
        /** {@link Submit}. */
        SUBMIT,
        /** {@link Submits}. */
        SUBMITS,
        /** {@link Read}. */
        READ,
        /** {@link ChangeMembership}. */
        CHANGE_MEMBERSHIP,
        /** {@link SnapshotTaken}. */
        SNAPSHOT_TAKEN,
        /** {@link SnapshotFailed}. */
        SNAPSHOT_FAILED,
        /** {@link SnapshotChunkStored}. */
        SNAPSHOT_CHUNK_STORED,
        /** {@link SnapshotInstalled}. */
        SNAPSHOT_INSTALLED,
        /** {@link TransferLeadership}. */
        TRANSFER_LEADERSHIP,
        /** {@link SendMulticast}. */
        SEND_MULTICAST,
        /** {@link SendMulticasts}. */
        SEND_MULTICASTS,
        /** {@link Flush}. */
        FLUSH,
        /** {@link LogRead}. */
        LOG_READ
    }

    /** One unit of logical time has passed. The runtime (or simulator) decides how long a tick is. */
    record Tick() implements Input {
        @Override
        public Kind kind() {
            return Kind.TICK;
        }
    }

    /**
     * A message from another member arrived.
     *
     * @param message the message, already authenticated and decoded by the transport
     * @param incarnation the sender's incarnation, from the envelope (PROTOCOL.md §10); at least 0
     * @param authenticated whether the transport authenticated the sender as a peer of this cluster (TLS or the
     *     cluster key); only then may a leader this member does not know yet bring it into the group (§10)
     */
    record Receive(Message message, long incarnation, boolean authenticated) implements Input {
        @Override
        public Kind kind() {
            return Kind.RECEIVE;
        }

        /** Requires a message and a non-negative incarnation (the core checks its domain, PROTOCOL.md §10). */
        public Receive {
            Objects.requireNonNull(message, "message");
            if (incarnation < 0) {
                throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
            }
        }

        /** A message from an authenticated peer (the default: every transport authenticates unless told not to). */
        public Receive(Message message, long incarnation) {
            this(message, incarnation, true);
        }

        /** A message from an authenticated sender in its first incarnation (0). */
        public Receive(Message message) {
            this(message, 0);
        }
    }

    /**
     * The journal made everything up to and including {@code ticket}'s {@link Output.Persist} durable.
     *
     * @param ticket the ticket of the newest durable persist
     */
    record Persisted(long ticket) implements Input {
        @Override
        public Kind kind() {
            return Kind.PERSISTED;
        }
    }

    /**
     * A client opens an exactly-once session. Completes with {@link Output.SessionOpened}.
     *
     * @param clientId the session id; unique per client (for example random 64 bits)
     */
    record OpenSession(long clientId) implements Input {
        @Override
        public Kind kind() {
            return Kind.OPEN_SESSION;
        }
    }

    /**
     * A client submits a command in its session. Completes with {@link Output.Completed}. Re-submitting the same
     * (clientId, sequence), here or at another member, never applies it twice.
     *
     * @param clientId the session
     * @param sequence the command's number, from 1
     * @param ackedSequence every sequence up to this one has had its answer delivered
     * @param command the application's bytes, owned by the core from here on: the runtime copied them from the
     *     caller once, at the API, so the log entry keeps this array and the caller must not change it
     */
    record Submit(long clientId, long sequence, long ackedSequence, byte[] command) implements Input {
        @Override
        public Kind kind() {
            return Kind.SUBMIT;
        }

        /** Validates the coordinates. */
        public Submit {
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * Several commands handed over at once, in order: one step, so the leader writes them in one {@link
     * Output.Persist} and sends them to each follower in one append, where one step per command would cost a write
     * and an append per follower each. Each is handled exactly as a {@link Submit} of its own would be.
     *
     * @param submits the commands, in the order their sequences were given
     */
    record Submits(List<Submit> submits) implements Input {
        /** Freezes the list. */
        public Submits {
            submits = List.copyOf(submits);
        }

        @Override
        public Kind kind() {
            return Kind.SUBMITS;
        }
    }

    /**
     * A read of the state machine. Completes with {@link Output.ReadCompleted}.
     *
     * @param readId caller's id for the read, echoed in the completion
     * @param query the application's query bytes
     * @param stale true to answer from local state at once (labelled stale); false for a linearizable ReadIndex read
     */
    record Read(long readId, byte[] query, boolean stale) implements Input {
        @Override
        public Kind kind() {
            return Kind.READ;
        }

        /** Requires a query. */
        public Read {
            Objects.requireNonNull(query, "query");
        }
    }

    /**
     * Ask for a membership edit at any member, the one way to change the membership on request (PROTOCOL.md §3, §8):
     * the leader applies it to its latest configuration, through a joint configuration when voters, weights or order
     * change; another member forwards it to the leader it follows. Completes with {@link Output.ReconfigurationCompleted}: committed,
     * rejected (nothing changed; {@code NO_QUORUM} when no leader is known), or abandoned (outcome unknown).
     *
     * @param requestId the caller's id for the request, echoed in the completion
     * @param change the edit
     */
    record ChangeMembership(long requestId, MembershipChange change) implements Input {
        @Override
        public Kind kind() {
            return Kind.CHANGE_MEMBERSHIP;
        }

        /** Requires a change. */
        public ChangeMembership {
            Objects.requireNonNull(change, "change");
        }
    }

    /**
     * The snapshot asked for by {@link Output.TakeSnapshot} is durable in the snapshot store: the member may compact
     * its log up to it.
     *
     * @param meta what the snapshot covers, as the output named it
     */
    record SnapshotTaken(SnapshotMeta meta) implements Input {
        @Override
        public Kind kind() {
            return Kind.SNAPSHOT_TAKEN;
        }

        /** Requires the metadata. */
        public SnapshotTaken {
            Objects.requireNonNull(meta, "meta");
        }
    }

    /**
     * Taking the snapshot at {@code index}, or storing or installing one received there, failed; nothing changed.
     * The member tries again later (the leader resends a transfer from where it stands).
     *
     * @param index the snapshot's index
     * @param reason what went wrong, for the log
     */
    record SnapshotFailed(long index, String reason) implements Input {
        @Override
        public Kind kind() {
            return Kind.SNAPSHOT_FAILED;
        }
    }

    /**
     * The entries an {@link Output.ReadLog} asked for, read back from the journal: empty if the read failed (it is
     * asked for again when still needed).
     *
     * @param fromIndex the read's first index, as asked
     * @param entries the entries read, consecutive from {@code fromIndex}
     */
    record LogRead(long fromIndex, List<Entry> entries) implements Input {
        @Override
        public Kind kind() {
            return Kind.LOG_READ;
        }

        /** Freezes the entries. */
        public LogRead {
            entries = List.copyOf(entries);
        }
    }

    /**
     * A chunk asked for by {@link Output.StoreSnapshotChunk} (not the last) is written.
     *
     * @param index the snapshot's index
     * @param nextOffset the offset just past the chunk: where the next one starts
     */
    record SnapshotChunkStored(long index, long nextOffset) implements Input {
        @Override
        public Kind kind() {
            return Kind.SNAPSHOT_CHUNK_STORED;
        }
    }

    /**
     * The snapshot received from the leader is durable and the state machine now holds its state (PROTOCOL.md §8).
     *
     * @param meta what the snapshot covers
     * @param sessions the exactly-once table the snapshot carries, as {@link Output.TakeSnapshot} gave it
     */
    record SnapshotInstalled(SnapshotMeta meta, byte[] sessions) implements Input {
        @Override
        public Kind kind() {
            return Kind.SNAPSHOT_INSTALLED;
        }

        /** Requires both parts. */
        public SnapshotInstalled {
            Objects.requireNonNull(meta, "meta");
            Objects.requireNonNull(sessions, "sessions");
        }
    }

    /**
     * Ask the leader to hand leadership to {@code target} (PROTOCOL.md §6).
     *
     * @param target the member that should become leader
     */
    record TransferLeadership(MemberId target) implements Input {
        @Override
        public Kind kind() {
            return Kind.TRANSFER_LEADERSHIP;
        }

        /** Requires a target. */
        public TransferLeadership {
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * The application multicasts {@code payload} to its multicast view (PROTOCOL.md §13). Answered by
     * {@link Output.MulticastCompleted} with {@code requestId}: once this member delivered it itself, or refused.
     *
     * @param requestId the caller's id
     * @param payload the bytes (never modified)
     */
    record SendMulticast(long requestId, byte[] payload) implements Input {
        /** Requires a payload. */
        public SendMulticast {
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public Kind kind() {
            return Kind.SEND_MULTICAST;
        }
    }

    /**
     * Several multicasts handed over at once, in order: one step, so they travel to the sequencer together.
     *
     * @param sends the multicasts
     */
    record SendMulticasts(List<SendMulticast> sends) implements Input {
        /** Freezes the list. */
        public SendMulticasts {
            sends = List.copyOf(sends);
        }

        @Override
        public Kind kind() {
            return Kind.SEND_MULTICASTS;
        }
    }

    /**
     * The application asks for a flush (PROTOCOL.md §13): answered by {@link Output.FlushCompleted} once every
     * multicast this member has delivered so far is held by every participant of the view, or a view change made
     * that moot.
     *
     * @param flushId the caller's id
     */
    record Flush(long flushId) implements Input {
        @Override
        public Kind kind() {
            return Kind.FLUSH;
        }
    }
}
