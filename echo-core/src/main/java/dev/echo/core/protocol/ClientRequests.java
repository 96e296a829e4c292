package dev.echo.core.protocol;

import dev.echo.core.StateMachine;
import dev.echo.core.protocol.ProtocolCounters.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Client requests and linearizable reads at this member (PROTOCOL.md §6, §9): admission (size, overload, no quorum),
 * appending at the leader or forwarding to it, retries on a timer until the outcome is applied here, and answering
 * reads once the apply point passes the read index the leader confirmed. Outcomes of writes are produced where they
 * are applied ({@link Applier}).
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class ClientRequests {
    private final MemberState state;
    private final Outbox outbox;
    private final PendingOperations pending;
    private final StateMachine stateMachine;
    /** Reads of this member's own clients that its leadership must confirm: taken by the leader's read barriers. */
    private final List<Long> readsForLeader = new ArrayList<>();

    ClientRequests(MemberState state, Outbox outbox, PendingOperations pending, StateMachine stateMachine) {
        this.state = state;
        this.outbox = outbox;
        this.pending = pending;
        this.stateMachine = stateMachine;
    }

    /**
     * A client command. {@code leaderAcceptsWrites}: this member leads and is not handing leadership over; a leader
     * that is keeps the request pending and appends it on a retry, or lets the next leader's member retry it.
     */
    void submit(Input.Submit submit, boolean leaderAcceptsWrites) {
        if (submit.sequence() < 1 || submit.ackedSequence() < 0 || submit.ackedSequence() >= submit.sequence()) {
            refuse(submit.clientId(), submit.sequence(), RejectReason.INVALID);
        } else if (submit.command().length > state.options.maxCommandBytes()) {
            refuse(submit.clientId(), submit.sequence(), RejectReason.TOO_LARGE);
        } else {
            submitPayload(
                    new Entry.Command(submit.clientId(), submit.sequence(), submit.ackedSequence(), submit.command()),
                    leaderAcceptsWrites);
        }
    }

    /** A client opens its exactly-once session (PROTOCOL.md §6): an entry like a command, with sequence 0. */
    void openSession(long clientId, boolean leaderAcceptsWrites) {
        submitPayload(new Entry.OpenSession(clientId), leaderAcceptsWrites);
    }

    private void submitPayload(Entry.Payload payload, boolean leaderAcceptsWrites) {
        PendingOperations.RequestKey key = PendingOperations.RequestKey.of(payload);
        if (pending.request(key) != null) {
            return; // already waiting here; it completes once for everyone
        }
        if (pending.isFull()) {
            refuse(key.clientId(), key.sequence(), RejectReason.OVERLOADED);
            return;
        }
        Optional<RejectReason> unserved = unservedBecause();
        if (unserved.isPresent()) {
            refuse(key.clientId(), key.sequence(), unserved.get());
            return;
        }
        dispatch(pending.addRequest(payload), leaderAcceptsWrites);
    }

    /**
     * Why this member cannot take a write or linearizable read now: it hears no leader, or is not a member. A member
     * whose storage is faulted still forwards to the leader it hears, and its reads wait until the repair is applied.
     */
    private Optional<RejectReason> unservedBecause() {
        MemberStatus status = state.status();
        if (status == MemberStatus.NO_QUORUM || status == MemberStatus.STORAGE_FAULTED && state.leaderId.isEmpty()) {
            return Optional.of(RejectReason.NO_QUORUM);
        }
        return status == MemberStatus.NOT_MEMBER ? Optional.of(RejectReason.NOT_MEMBER) : Optional.empty();
    }

    private void refuse(long clientId, long sequence, RejectReason reason) {
        state.counters.increment(Counter.REQUEST_REFUSED);
        Output.Rejected rejected = new Output.Rejected(reason);
        outbox.add(
                sequence == 0
                        ? new Output.SessionOpened(clientId, rejected)
                        : new Output.Completed(clientId, sequence, rejected));
    }

    /**
     * Appends the request (as leader, once per term), or forwards it to the leader; retried on a timer until applied.
     * What the leader appends is replicated at the end of the step.
     */
    private void dispatch(PendingOperations.PendingRequest request, boolean leaderAcceptsWrites) {
        if (state.isLeader()) {
            if (!leaderAcceptsWrites) {
                return;
            }
            boolean stillInLog = request.appendedIndex > 0
                    && state.log.matches(request.appendedIndex, request.appendedTerm)
                    && request.appendedTerm == state.term;
            if (!stillInLog) {
                Entry entry = outbox.appendAsLeader(request.payload);
                request.appendedIndex = entry.index();
                request.appendedTerm = entry.term();
            }
        } else if (state.leaderId.isPresent()) {
            outbox.send(state.leaderId.get(), new Message.ForwardRequest(state.self, state.term, request.payload));
        }
    }

    /** A tick: re-sends what is due for a retry. */
    void retryDue(boolean leaderAcceptsWrites) {
        for (PendingOperations.PendingRequest request : pending.requestsDueForRetry()) {
            dispatch(request, leaderAcceptsWrites);
        }
        for (PendingOperations.PendingRead read : pending.readsDueForRetry()) {
            requestReadIndex(read);
        }
    }

    /** This member became leader: everything waiting here goes into its log, or to its read barriers. */
    void leadershipGained(boolean leaderAcceptsWrites) {
        for (PendingOperations.PendingRequest request : List.copyOf(pending.requests())) {
            dispatch(request, leaderAcceptsWrites);
        }
        for (PendingOperations.PendingRead read : List.copyOf(pending.reads())) {
            requestReadIndex(read);
        }
    }

    /** Another member forwarded a client's request to this leader (PROTOCOL.md §6). */
    void onForwardRequest(Message.ForwardRequest forward, boolean leaderAcceptsWrites) {
        if (!state.isLeader() || !leaderAcceptsWrites) {
            state.counters.increment(Counter.NOT_LEADER); // the forwarding member retries
            return;
        }
        outbox.appendAsLeader(forward.payload());
    }

    // ---------------------------------------------------------------- reads (PROTOCOL.md §9)

    void read(Input.Read read, boolean installingSnapshot) {
        Optional<RejectReason> unserved = unservedBecause();
        if (read.query().length > state.options.maxCommandBytes()) {
            readDone(read.readId(), new Output.Rejected(RejectReason.TOO_LARGE));
        } else if (installingSnapshot) { // the state machine is being replaced
            readDone(read.readId(), new Output.Rejected(RejectReason.NO_QUORUM));
        } else if (read.stale()) {
            byte[] answer = stateMachine.query(read.query());
            readDone(read.readId(), new Output.Committed(state.lastApplied, answer, true));
        } else if (pending.hasRead(read.readId())) {
            readDone(read.readId(), new Output.Rejected(RejectReason.INVALID));
        } else if (pending.isFull()) {
            readDone(read.readId(), new Output.Rejected(RejectReason.OVERLOADED));
        } else if (unserved.isPresent()) {
            readDone(read.readId(), new Output.Rejected(unserved.get()));
        } else {
            requestReadIndex(pending.addRead(read.readId(), read.query()));
        }
    }

    private void readDone(long readId, Output.Outcome outcome) {
        outbox.add(new Output.ReadCompleted(readId, outcome));
    }

    private void requestReadIndex(PendingOperations.PendingRead read) {
        if (state.isLeader()) {
            readsForLeader.add(read.readId);
        } else if (state.leaderId.isPresent()) {
            outbox.send(state.leaderId.get(), new Message.ReadIndexRequest(state.self, state.term, read.readId));
        }
    }

    /** Takes the reads this leader must confirm for its own clients, in the order they came. */
    List<Long> takeReadsForLeader() {
        if (readsForLeader.isEmpty()) {
            return List.of();
        }
        List<Long> taken = List.copyOf(readsForLeader);
        readsForLeader.clear();
        return taken;
    }

    void onReadIndexResponse(Message.ReadIndexResponse response) {
        PendingOperations.PendingRead read = pending.read(response.readId());
        if (read != null && response.term() == state.term && state.leaderId.equals(Optional.of(response.from()))) {
            pending.confirmRead(read, response.readIndex());
        }
    }

    /** Answers every read whose read index the apply point has reached; at the end of every step. */
    void completeReadyReads(boolean installingSnapshot) {
        if (installingSnapshot || pending.reads().isEmpty()) {
            return; // completed once the snapshot is in
        }
        for (PendingOperations.PendingRead read : pending.takeReadyReads(state.lastApplied)) {
            byte[] answer = stateMachine.query(read.query);
            readDone(read.readId, new Output.Committed(state.lastApplied, answer, false));
        }
    }
}
