package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one step of a member produces: its outputs in order, the log writes and term/vote change to persist at the end
 * of the step as one {@link Output.Persist}, and the durability hold of PROTOCOL.md §5 (a message that depends on a
 * term or vote not yet durable waits for it). Every handler writes here; only {@link GroupProtocol} drains it.
 *
 * <p>Threading: not thread-safe; owned by one {@link GroupProtocol}.
 */
final class Outbox {
    private final MemberState state;
    private final List<Output> outputs = new ArrayList<>();

    private MemberStatus reportedStatus;
    private long reportedTerm = -1;
    private Optional<MemberId> reportedLeader = Optional.empty();

    // What the step being processed changed, persisted at its end as one write.
    private boolean hardStateDirty;
    private long writeFrom = Long.MAX_VALUE;

    Outbox(MemberState state) {
        this.state = state;
    }

    /** Adds an output that needs no ordering against durability. */
    void add(Output output) {
        outputs.add(output);
    }

    /** Sends now, or holds the message until the term/vote it depends on is durable (PROTOCOL.md §5). */
    void send(MemberId to, Message message) {
        Output.Send send = new Output.Send(to, message);
        if (!state.durability.holdIfNeeded(send, hardStateDirty)) {
            outputs.add(send);
        }
    }

    /** Sends {@code message} to every other voter of the configuration in force. */
    void broadcastToVoters(Message message) {
        for (MemberId member : state.members()) {
            if (!member.equals(state.self) && state.configuration().isVoter(member)) {
                send(member, message);
            }
        }
    }

    /** The term or vote changed: persisted at the end of the step, and messages wait until it is durable. */
    void hardStateChanged() {
        hardStateDirty = true;
    }

    /** Whether this step changed the term or vote. */
    boolean hardStateChanging() {
        return hardStateDirty;
    }

    /** Appends {@code payload} at the end of the log in the current term, to be persisted with the step. */
    Entry appendAsLeader(Entry.Payload payload) {
        Entry entry = new Entry(state.log.lastIndex() + 1, state.term, payload);
        state.log.append(entry);
        logWrittenFrom(entry.index());
        return entry;
    }

    /** The log changed from {@code index} on: the persist at the end of the step rewrites it from there. */
    void logWrittenFrom(long index) {
        writeFrom = Math.min(writeFrom, index);
    }

    /** Drops the log from {@code index}; never a committed entry (invariant §11.6). */
    void truncateLogFrom(long index) {
        MemberState.check(
                index > state.commitIndex,
                "§11.6: truncating committed index %d (commit %d)",
                index,
                state.commitIndex);
        state.log.truncateFrom(index);
        state.durability.truncatedFrom(index);
        logWrittenFrom(index);
    }

    /** Asks the journal to drop its log up to {@code meta}, in ticket order with the persists. */
    void compactJournal(SnapshotMeta meta) {
        outputs.add(new Output.CompactLog(state.durability.issue(state.log.lastIndex(), false), meta));
    }

    /** Ends the step's writes: one persist of the log from the first changed index and of the term/vote. */
    void persistStep() {
        long last = state.log.lastIndex();
        boolean logWritten = writeFrom != Long.MAX_VALUE;
        if (hardStateDirty || logWritten) {
            long first = logWritten ? writeFrom : last + 1;
            Optional<HardState> hardState =
                    hardStateDirty ? Optional.of(new HardState(state.term, state.votedFor)) : Optional.empty();
            long ticket = state.durability.issue(last, hardStateDirty);
            outputs.add(new Output.Persist(ticket, hardState, first, state.log.suffix(first)));
            hardStateDirty = false;
            writeFrom = Long.MAX_VALUE;
        }
    }

    /** Ends the step: tells the runtime if the member's status, term or leader changed (PROTOCOL.md §9). */
    void reportStatusIfChanged() {
        MemberStatus status = state.status();
        if (status != reportedStatus || state.term != reportedTerm || !state.leaderId.equals(reportedLeader)) {
            reportedStatus = status;
            reportedTerm = state.term;
            reportedLeader = state.leaderId;
            outputs.add(new Output.StatusChanged(status, state.term, state.leaderId));
        }
    }

    /** Returns and clears the outputs produced since the last call. */
    List<Output> drain() {
        List<Output> drained = new ArrayList<>(outputs);
        outputs.clear();
        return drained;
    }
}
