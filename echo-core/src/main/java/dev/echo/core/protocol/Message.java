package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.List;

/**
 * Messages members of one group exchange (PROTOCOL.md §4–6, §9). Every message names its sender and a term.
 * Immutable values; the transport encodes them (echo-transport-netty) or passes them by reference (simulator).
 */
public sealed interface Message {
    /** The sending member. */
    MemberId from();

    /** The sender's term (for pre-votes: the term the sender proposes). */
    long term();

    /** Which message this is: what every dispatch switches on, so a new kind fails to compile until handled. */
    Kind kind();

    /**
     * The kinds of message, each with its wire code (ARCHITECTURE.md "Formats"). Codes are fixed here, never derived
     * from the declaration order; an unknown code is a typed decode error, never another kind.
     */
    enum Kind {
        /** {@link PreVoteRequest}. */
        PRE_VOTE_REQUEST(1),
        /** {@link PreVoteResponse}. */
        PRE_VOTE_RESPONSE(2),
        /** {@link VoteRequest}. */
        VOTE_REQUEST(3),
        /** {@link VoteResponse}. */
        VOTE_RESPONSE(4),
        /** {@link AppendRequest}. */
        APPEND_REQUEST(5),
        /** {@link AppendResponse}. */
        APPEND_RESPONSE(6),
        /** {@link TimeoutNow}. */
        TIMEOUT_NOW(7),
        /** {@link ForwardRequest}. */
        FORWARD_REQUEST(8),
        /** {@link ReadIndexRequest}. */
        READ_INDEX_REQUEST(9),
        /** {@link ReadIndexResponse}. */
        READ_INDEX_RESPONSE(10),
        /** {@link MembershipRequest}. */
        MEMBERSHIP_REQUEST(11),
        /** {@link MembershipResponse}. */
        MEMBERSHIP_RESPONSE(12),
        /** {@link InstallSnapshot}. */
        INSTALL_SNAPSHOT(13),
        /** {@link InstallSnapshotResponse}. */
        INSTALL_SNAPSHOT_RESPONSE(14),
        /** {@link MulticastSend}. */
        MULTICAST_SEND(15),
        /** {@link MulticastData}. */
        MULTICAST_DATA(16),
        /** {@link MulticastAck}. */
        MULTICAST_ACK(17),
        /** {@link MulticastReportRequest}. */
        MULTICAST_REPORT_REQUEST(18);

        private static final Kind[] BY_CODE = new Kind[256];

        static {
            for (Kind kind : values()) {
                BY_CODE[kind.code & 0xFF] = kind;
            }
        }

        private final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        /** The code this kind has on the wire. */
        public byte code() {
            return code;
        }

        /** The kind with wire code {@code code}, or null if there is none. */
        public static Kind ofCode(byte code) {
            return BY_CODE[code & 0xFF];
        }
    }

    /**
     * Pre-vote (PROTOCOL.md §6): would you vote for me in {@code term}? Changes no state at the receiver.
     *
     * @param from candidate
     * @param term the term the candidate would start (its current term + 1)
     * @param lastLogIndex candidate's last index
     * @param lastLogTerm candidate's last term
     */
    record PreVoteRequest(MemberId from, long term, long lastLogIndex, long lastLogTerm) implements Message {
        @Override
        public Kind kind() {
            return Kind.PRE_VOTE_REQUEST;
        }
    }

    /**
     * Answer to a pre-vote.
     *
     * @param from voter
     * @param term the proposed term if granted, otherwise the voter's current term
     * @param granted whether the voter would vote
     */
    record PreVoteResponse(MemberId from, long term, boolean granted) implements Message {
        @Override
        public Kind kind() {
            return Kind.PRE_VOTE_RESPONSE;
        }
    }

    /**
     * Request for a vote in {@code term}.
     *
     * @param from candidate
     * @param term candidate's term
     * @param lastLogIndex candidate's last index
     * @param lastLogTerm candidate's last term
     * @param leadershipTransfer true when the old leader asked for this election; overrides the leader lease
     */
    record VoteRequest(MemberId from, long term, long lastLogIndex, long lastLogTerm, boolean leadershipTransfer)
            implements Message {
        @Override
        public Kind kind() {
            return Kind.VOTE_REQUEST;
        }
    }

    /**
     * Answer to a vote request; a grant is sent only after the vote is durable.
     *
     * @param from voter
     * @param term voter's term
     * @param granted whether the vote was granted
     */
    record VoteResponse(MemberId from, long term, boolean granted) implements Message {
        @Override
        public Kind kind() {
            return Kind.VOTE_RESPONSE;
        }
    }

    /**
     * Replication and heartbeat (PROTOCOL.md §4): entries after (prevIndex, prevTerm) and the leader's commit index.
     *
     * @param from leader
     * @param term leader's term
     * @param prevIndex index before the first entry
     * @param prevTerm term at prevIndex
     * @param entries consecutive entries from prevIndex + 1; empty for a heartbeat
     * @param commitIndex leader's commit index
     * @param readRound leader's read-confirmation round, echoed in the response (ReadIndex, PROTOCOL.md §9)
     */
    record AppendRequest(
            MemberId from,
            long term,
            long prevIndex,
            long prevTerm,
            List<Entry> entries,
            long commitIndex,
            long readRound)
            implements Message {
        @Override
        public Kind kind() {
            return Kind.APPEND_REQUEST;
        }

        /** Freezes the entry list. */
        public AppendRequest {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Answer to an {@link AppendRequest}. A success is sent only once the acknowledged entries are durable.
     *
     * @param from follower
     * @param term follower's term
     * @param success whether the log matched at prevIndex
     * @param matchIndex on success: the index up to which the follower's log durably matches the leader's
     * @param conflictIndex on failure: where the leader should retry (fast back-off hint); 0 in the leader's term
     *     means the follower's storage is faulted and must be repaired from scratch ({@link #asksForRepair})
     * @param conflictTerm on failure: the follower's term at the conflicting index, 0 if its log is too short
     * @param readRound the highest read round the follower has seen from this leader
     */
    record AppendResponse(
            MemberId from,
            long term,
            boolean success,
            long matchIndex,
            long conflictIndex,
            long conflictTerm,
            long readRound)
            implements Message {
        @Override
        public Kind kind() {
            return Kind.APPEND_RESPONSE;
        }

        /**
         * Whether this is a faulted member's refusal asking to be repaired from scratch (PROTOCOL.md §5): a failure
         * with conflict index 0, which no healthy follower sends in the leader's term.
         */
        public boolean asksForRepair() {
            return !success && conflictIndex == 0;
        }
    }

    /**
     * Leadership transfer: the leader asks its chosen successor to start an election at once.
     *
     * @param from leader
     * @param term leader's term
     */
    record TimeoutNow(MemberId from, long term) implements Message {
        @Override
        public Kind kind() {
            return Kind.TIMEOUT_NOW;
        }
    }

    /**
     * A client request forwarded by a member that is not the leader (PROTOCOL.md §6). The member retries with the
     * same coordinates until it sees the outcome applied; duplicates are harmless.
     *
     * @param from forwarding member
     * @param term its term
     * @param payload an {@link Entry.Command} or {@link Entry.OpenSession}
     */
    record ForwardRequest(MemberId from, long term, Entry.Payload payload) implements Message {
        @Override
        public Kind kind() {
            return Kind.FORWARD_REQUEST;
        }
    }

    /**
     * A follower asks the leader for a read index (PROTOCOL.md §9).
     *
     * @param from follower
     * @param term its term
     * @param readId the follower's id for the read
     */
    record ReadIndexRequest(MemberId from, long term, long readId) implements Message {
        @Override
        public Kind kind() {
            return Kind.READ_INDEX_REQUEST;
        }
    }

    /**
     * The leader's answer: once the follower has applied {@code readIndex}, it may answer the read.
     *
     * @param from leader
     * @param term leader's term
     * @param readId the follower's id for the read
     * @param readIndex the confirmed read index
     */
    record ReadIndexResponse(MemberId from, long term, long readId, long readIndex) implements Message {
        @Override
        public Kind kind() {
            return Kind.READ_INDEX_RESPONSE;
        }
    }

    /**
     * A member asks the leader for a membership change on behalf of its application (PROTOCOL.md §8).
     *
     * @param from asking member
     * @param term its term
     * @param requestId the asking member's id for the request, echoed in the response
     * @param change the edit, applied by the leader to its latest configuration
     */
    record MembershipRequest(MemberId from, long term, long requestId, MembershipChange change) implements Message {
        @Override
        public Kind kind() {
            return Kind.MEMBERSHIP_REQUEST;
        }
    }

    /**
     * The leader's answer to a {@link MembershipRequest}.
     *
     * @param from leader
     * @param term leader's term
     * @param requestId the asking member's id for the request
     * @param result what became of it
     * @param index the log index of the committed configuration when {@code result} is {@code COMMITTED}, else 0
     */
    record MembershipResponse(MemberId from, long term, long requestId, MembershipResult result, long index)
            implements Message {
        @Override
        public Kind kind() {
            return Kind.MEMBERSHIP_RESPONSE;
        }
    }

    /**
     * One chunk of the leader's snapshot, for a member whose log is behind the leader's snapshot (PROTOCOL.md §8).
     * Chunks go one at a time: the next only after the member answered the previous, which is the backpressure.
     *
     * @param from leader
     * @param term leader's term
     * @param index the snapshot's last index
     * @param snapshotTerm the term of the entry at {@code index}
     * @param configuration the configuration in force at {@code index}
     * @param configurationIndex the log index of {@code configuration}'s entry, 0 for the bootstrap one: its epoch
     * @param offset where {@code data} starts in the snapshot's bytes
     * @param data the chunk
     * @param last whether {@code data} ends the snapshot
     */
    record InstallSnapshot(
            MemberId from,
            long term,
            long index,
            long snapshotTerm,
            QuorumSystem configuration,
            long configurationIndex,
            long offset,
            byte[] data,
            boolean last)
            implements Message {
        @Override
        public Kind kind() {
            return Kind.INSTALL_SNAPSHOT;
        }

        /** Validates the position. */
        public InstallSnapshot {
            if (index < 1 || snapshotTerm < 1 || offset < 0 || configurationIndex < 0 || configurationIndex > index) {
                throw new IllegalArgumentException("snapshot chunk at " + index + "/" + snapshotTerm + " offset "
                        + offset + " with its configuration at " + configurationIndex);
            }
            java.util.Objects.requireNonNull(configuration, "configuration");
            java.util.Objects.requireNonNull(data, "data");
        }

        /** Equal when every field is, the chunk's bytes compared by content. */
        @Override
        public boolean equals(Object other) {
            return other instanceof InstallSnapshot o
                    && from.equals(o.from)
                    && term == o.term
                    && index == o.index
                    && snapshotTerm == o.snapshotTerm
                    && configuration.equals(o.configuration)
                    && configurationIndex == o.configurationIndex
                    && offset == o.offset
                    && java.util.Arrays.equals(data, o.data)
                    && last == o.last;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(from, term, index, offset) * 31 + java.util.Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "InstallSnapshot[from=" + from + ", term=" + term + ", index=" + index + ", snapshotTerm="
                    + snapshotTerm + ", configurationIndex=" + configurationIndex + ", offset=" + offset + ", bytes="
                    + data.length + ", last=" + last + "]";
        }
    }

    /**
     * A member's answer to an {@link InstallSnapshot}: where the transfer stands.
     *
     * @param from the member receiving the snapshot
     * @param term its term
     * @param index the snapshot's index
     * @param nextOffset the offset of the next chunk it expects (resume here)
     * @param complete whether it now holds everything up to {@code index} durably (installed, or held already)
     */
    record InstallSnapshotResponse(MemberId from, long term, long index, long nextOffset, boolean complete)
            implements Message {
        @Override
        public Kind kind() {
            return Kind.INSTALL_SNAPSHOT_RESPONSE;
        }
    }

    /** The outcomes of a forwarded membership change. */
    enum MembershipResult {
        /** The change is committed. */
        COMMITTED,
        /** The receiver does not lead; nothing changed. */
        NOT_LEADER,
        /** Another change is in progress; nothing changed. */
        CHANGE_IN_PROGRESS,
        /** The edit cannot be made (e.g. removing the last voter); nothing changed. */
        INVALID,
        /** Leadership was lost midway: the change may still take effect. */
        ABANDONED,
        /** The asker may not make this edit (PROTOCOL.md §10: a non-voter may only add itself as a learner, or leave). */
        UNAUTHORISED,
        /** A new voter has not caught up with the leader's log; nothing changed (PROTOCOL.md §8). */
        NOT_CAUGHT_UP
    }

    /**
     * A member's multicasts for its view's sequencer to order (PROTOCOL.md §13). Sent again until the sender delivers
     * them itself; the sequencer takes each sender's multicasts in its order, without gaps, and drops the rest.
     *
     * @param from the sender
     * @param term its term
     * @param epoch the view the sender is in: multicasts are ordered only in it
     * @param multicasts unsequenced multicasts ({@code sequence} 0) of {@code from}, by sender sequence
     */
    record MulticastSend(MemberId from, long term, long epoch, List<Multicast> multicasts) implements Message {
        /** Freezes the list. */
        public MulticastSend {
            multicasts = List.copyOf(multicasts);
        }

        @Override
        public Kind kind() {
            return Kind.MULTICAST_SEND;
        }
    }

    /**
     * Ordered multicasts from the view's sequencer (PROTOCOL.md §13), consecutive, and how far every participant is
     * known to hold the view's multicasts.
     *
     * @param from the sequencer
     * @param term its term
     * @param epoch the view
     * @param stable every participant holds every multicast up to this one (for {@code flush})
     * @param multicasts sequenced multicasts, consecutive; may be empty (only {@code stable} moved)
     */
    record MulticastData(MemberId from, long term, long epoch, long stable, List<Multicast> multicasts)
            implements Message {
        /** Freezes the list. */
        public MulticastData {
            multicasts = List.copyOf(multicasts);
        }

        @Override
        public Kind kind() {
            return Kind.MULTICAST_DATA;
        }
    }

    /**
     * A member tells the leader where it stands in the multicast view it installed (PROTOCOL.md §13): an
     * acknowledgement to the sequencer, a request to be let into the next view by one that is not in it, or, when
     * asked, a report for the cut a new leader makes (then with the multicasts it delivered that are not yet known
     * stable).
     *
     * @param from the member
     * @param term its term
     * @param epoch the multicast view it installed (0 if none)
     * @param life its participant life (see {@link Participant})
     * @param participant whether it takes part in that view
     * @param delivered the last multicast of the view it delivered
     * @param answering the {@link MulticastReportRequest#upTo()} of the request this report answers; 0 if it is none
     * @param held the view's multicasts it delivered after the last point it knows stable (only in reports)
     */
    record MulticastAck(
            MemberId from,
            long term,
            long epoch,
            long life,
            boolean participant,
            long delivered,
            long answering,
            List<Multicast> held)
            implements Message {
        /** Freezes the list. */
        public MulticastAck {
            held = List.copyOf(held);
        }

        @Override
        public Kind kind() {
            return Kind.MULTICAST_ACK;
        }
    }

    /**
     * A new leader asks every member where it stands in its multicast view (PROTOCOL.md §13): the view's sequencer was
     * another leader, and this one rebuilds the view's cut from the answers. A member that answers delivers nothing
     * more in that view, nor in any view it installs up to {@code upTo}: the cut will come after.
     *
     * @param from the leader
     * @param term its term
     * @param upTo the leader's last log index when it asked
     */
    record MulticastReportRequest(MemberId from, long term, long upTo) implements Message {
        @Override
        public Kind kind() {
            return Kind.MULTICAST_REPORT_REQUEST;
        }
    }
}
