package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.ProtocolCounters.Counter;

/**
 * The follower's append path (PROTOCOL.md §4, §5): checks an append against its log, truncates only at a real
 * conflict, raises its commit index, and acknowledges entries once they are durable. Also the repair of a member whose
 * journal reported damage: it asks its leader for the log from scratch, and takes part again once repaired.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class FollowerAppends {
    private final MemberState state;
    private final Outbox outbox;

    FollowerAppends(MemberState state, Outbox outbox) {
        this.state = state;
        this.outbox = outbox;
    }

    /** An append from a leader of an earlier term: refused with our term, which tells it to step down. */
    void refuseStale(MemberId from) {
        state.counters.increment(Counter.STALE_TERM);
        outbox.send(from, new Message.AppendResponse(state.self, state.term, false, 0, 0, 0, 0));
    }

    /** An append from the leader this member now follows in the current term. */
    void onAppendRequest(Message.AppendRequest request, boolean installingSnapshot) {
        if (installingSnapshot) {
            state.counters.increment(Counter.BUSY_INSTALLING); // the leader resends once the snapshot is in
            return;
        }
        state.readRoundSeen = Math.max(state.readRoundSeen, request.readRound());
        // Whether this step wrote to the journal: the answer then waits until that is durable.
        boolean wrote = false;
        if (state.storageFaulted) {
            if (request.prevIndex() > 0) {
                outbox.send(request.from(), rejection(0, 0)); // AppendResponse.asksForRepair: from scratch
                return;
            }
            restartLogFromScratch(); // the leader sends its whole log: nothing of ours is needed
            wrote = true;
        }
        if (request.prevIndex() > state.log.lastIndex()) {
            outbox.send(request.from(), rejection(state.log.lastIndex() + 1, 0));
            return;
        }
        // Entries up to our snapshot are committed, so every leader holds them as we did: check from the snapshot on.
        long prevIndex = Math.max(request.prevIndex(), state.log.snapshotIndex());
        long prevTerm = prevIndex == request.prevIndex() ? request.prevTerm() : state.log.snapshotTerm();
        if (!state.log.matches(prevIndex, prevTerm)) {
            long conflictTerm = state.log.termAt(prevIndex);
            MemberState.check(prevIndex > state.commitIndex, "§11.6: conflict at committed index %d", prevIndex);
            outbox.send(request.from(), rejection(state.log.firstIndexOfTerm(conflictTerm, prevIndex), conflictTerm));
            return;
        }
        wrote |= appendNew(request, prevIndex);
        long lastNew = Math.max(request.prevIndex() + request.entries().size(), prevIndex);
        if (!state.rules.truncateOnlyAtConflict() && state.log.lastIndex() > lastNew && lastNew >= state.commitIndex) {
            outbox.truncateLogFrom(lastNew + 1);
        }
        state.verifiedIndex = Math.min(Math.max(state.verifiedIndex, lastNew), state.log.lastIndex());
        state.raiseCommit(Math.min(request.commitIndex(), state.verifiedIndex));
        if (wrote && state.rules.acknowledgeOnlyDurable()) {
            state.ackPending = true; // sent from onPersisted() once the entries are durable
        } else {
            sendAck();
        }
    }

    /** Appends the entries this member lacks after {@code prevIndex}; returns whether the log changed. */
    private boolean appendNew(Message.AppendRequest request, long prevIndex) {
        boolean wrote = false;
        for (Entry entry : request.entries()) {
            if (entry.index() <= prevIndex) {
                continue; // inside our snapshot
            }
            if (entry.index() <= state.log.lastIndex()) {
                if (state.log.termAt(entry.index()) == entry.term()) {
                    continue; // duplicate or reordered: never truncate without a real conflict (§4)
                }
                outbox.truncateLogFrom(entry.index());
            }
            state.log.append(entry);
            outbox.logWrittenFrom(entry.index());
            wrote = true;
        }
        return wrote;
    }

    private Message.AppendResponse rejection(long conflictIndex, long conflictTerm) {
        return new Message.AppendResponse(
                state.self, state.term, false, 0, conflictIndex, conflictTerm, state.readRoundSeen);
    }

    /** Acknowledges what is both verified against the leader and durable (PROTOCOL.md §5). */
    private void sendAck() {
        long match = state.rules.acknowledgeOnlyDurable()
                ? Math.min(state.verifiedIndex, state.durability.durableIndex())
                : state.verifiedIndex;
        state.lastAckedMatch = Math.max(state.lastAckedMatch, match);
        state.ackPending = state.verifiedIndex > match;
        state.leaderId.ifPresent(to -> outbox.send(
                to, new Message.AppendResponse(state.self, state.term, true, match, 0, 0, state.readRoundSeen)));
    }

    /** A persist completed at a follower: acknowledge what became durable, if anything waits for it. */
    void onPersisted() {
        if (state.ackPending
                && state.leaderId.isPresent()
                && Math.min(state.verifiedIndex, state.durability.durableIndex()) > state.lastAckedMatch) {
            sendAck();
        }
    }

    /**
     * A snapshot from the leader is installed: the log starts after it, so everything up to it is verified (it is
     * committed: every later leader holds it), and the leader hears of it once the compaction is durable.
     */
    void snapshotInstalled(SnapshotMeta meta) {
        state.verifiedIndex = Math.max(state.verifiedIndex, meta.index());
        endStorageFault();
        state.ackPending = true;
    }

    /**
     * A faulted member whose leader sends its log from entry 1: the journal drops every entry, and with them the
     * damage (PROTOCOL.md §5). The entries that follow are written after that, in ticket order.
     */
    private void restartLogFromScratch() {
        MemberState.check(state.log.lastIndex() == 0, "a faulted member starts with an empty log");
        outbox.compactJournal(SnapshotMeta.beforeFirstEntry(state.log.bootstrapConfiguration()));
        endStorageFault();
    }

    /** Repaired: its log restarts from the leader's snapshot or first entry, and it takes part again. */
    private void endStorageFault() {
        if (state.storageFaulted && state.votedFor.isEmpty()) {
            // Its vote in this term may have been in the damaged records. Recording the leader, who already won the
            // term, denies every other candidate of it at no cost (PROTOCOL.md §5).
            state.votedFor = state.leaderId;
            outbox.hardStateChanged();
        }
        state.storageFaulted = false;
    }
}
