package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.ProtocolCounters.Counter;

/**
 * A member's snapshots (PROTOCOL.md §5, §8): when to take one and compact the log after it, and receiving one from
 * the leader chunk by chunk until the runtime has installed it. The leader's sending half lives in {@link Leader}.
 *
 * <p>Receiving is resumable and in order: one chunk is written at a time, and the answer to each names the offset the
 * member expects next, so a lost or duplicated chunk costs a resend, never a corrupt snapshot. Chunks of one transfer
 * come from one leader: a snapshot is the same state everywhere, but not necessarily the same bytes.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class Snapshots {
    private final MemberState state;
    private final Outbox outbox;
    private final ClientSessions sessions;
    private final SnapshotPolicy policy;

    /** Index of the snapshot the runtime is taking, or -1. */
    private long taking = -1;
    /** After a failed snapshot, the next is tried once this much is applied. */
    private long retryAtApplied;

    private Receiving receiving;

    /** A transfer from the leader in progress. */
    private static final class Receiving {
        final MemberId from;
        final SnapshotMeta meta;
        long nextOffset;
        boolean chunkOutstanding;
        boolean installing;

        Receiving(MemberId from, SnapshotMeta meta) {
            this.from = from;
            this.meta = meta;
        }

        boolean sameTransfer(Message.InstallSnapshot chunk) {
            return from.equals(chunk.from()) && meta.index() == chunk.index() && meta.term() == chunk.snapshotTerm();
        }
    }

    Snapshots(MemberState state, Outbox outbox, ClientSessions sessions) {
        this.state = state;
        this.outbox = outbox;
        this.sessions = sessions;
        this.policy = state.options.snapshots();
    }

    /**
     * Whether the runtime is installing a received snapshot: the state machine is being replaced, so the member
     * applies nothing, answers no read and takes no snapshot until it is done.
     */
    boolean installing() {
        return receiving != null && receiving.installing;
    }

    /** At the end of a step: asks for a snapshot once enough was applied since the last one. */
    void maybeTake() {
        ReplicationLog log = state.log;
        long applied = state.lastApplied;
        if (!policy.enabled()
                || taking >= 0
                || installing()
                || applied < retryAtApplied
                || applied - log.snapshotIndex() < policy.intervalEntries()) {
            return;
        }
        SnapshotMeta meta = new SnapshotMeta(
                applied, log.termAt(applied), log.configurationAt(applied), log.configurationIndexAt(applied));
        taking = applied;
        outbox.add(new Output.TakeSnapshot(meta, sessions.toBytes()));
        if (!state.rules.compactOnlyAfterDurableSnapshot()) {
            outbox.compactJournal(meta); // rule broken: the prefix goes before the snapshot is durable
        }
    }

    /** The runtime made the snapshot durable: compact the log up to it. */
    void taken(SnapshotMeta meta) {
        if (meta.index() != taking) {
            state.counters.increment(Counter.STALE_SNAPSHOT_REPORT);
            return;
        }
        taking = -1;
        if (meta.index() <= state.log.snapshotIndex() || meta.index() > state.lastApplied) {
            return; // a newer snapshot was installed meanwhile
        }
        state.log.compactTo(meta.index(), meta.term());
        outbox.compactJournal(meta);
    }

    /** Taking, storing or installing the snapshot at {@code index} failed. */
    void failed(long index) {
        if (index == taking) {
            taking = -1;
            retryAtApplied = state.lastApplied + Math.max(1, policy.intervalEntries() / 2);
        } else if (receiving != null && receiving.meta.index() == index) {
            receiving = null; // the leader's next chunk or resend starts over
        } else {
            state.counters.increment(Counter.STALE_SNAPSHOT_REPORT);
        }
    }

    /** A chunk from the leader, whose term the member has already checked and adopted. */
    void onChunk(Message.InstallSnapshot chunk) {
        if (state.holdsDurably(chunk.index(), chunk.snapshotTerm())) {
            answer(chunk.from(), chunk.index(), 0, true);
            return;
        }
        if (installing() || chunk.index() <= state.commitIndex) {
            return; // busy; or held but not yet durably: the leader resends, and the answer comes then
        }
        if (receiving == null || !receiving.sameTransfer(chunk)) {
            if (chunk.offset() != 0) {
                answer(chunk.from(), chunk.index(), 0, false); // a transfer we do not have: start over
                return;
            }
            SnapshotMeta meta = new SnapshotMeta(
                    chunk.index(), chunk.snapshotTerm(), chunk.configuration(), chunk.configurationIndex());
            receiving = new Receiving(chunk.from(), meta);
        }
        if (receiving.chunkOutstanding) {
            return; // the answer follows when the chunk being written is
        }
        boolean keepAlive = chunk.data().length == 0 && !chunk.last();
        if (chunk.offset() != receiving.nextOffset || keepAlive) {
            answer(chunk.from(), chunk.index(), receiving.nextOffset, false);
            return;
        }
        receiving.chunkOutstanding = true;
        receiving.installing = chunk.last();
        outbox.add(new Output.StoreSnapshotChunk(receiving.meta, chunk.offset(), chunk.data(), chunk.last()));
    }

    /** The runtime wrote a chunk that was not the last. */
    void chunkStored(long index, long nextOffset) {
        if (receiving == null || receiving.meta.index() != index || !receiving.chunkOutstanding) {
            state.counters.increment(Counter.STALE_SNAPSHOT_REPORT);
            return;
        }
        receiving.chunkOutstanding = false;
        receiving.nextOffset = nextOffset;
        answer(receiving.from, index, nextOffset, false);
    }

    /**
     * The runtime installed the received snapshot (PROTOCOL.md §8): the log keeps a matching suffix or restarts after
     * it, and the journal drops what it covers. Returns whether it was the one awaited; the caller then moves the
     * apply point and the follower's bookkeeping to it.
     */
    boolean installed(SnapshotMeta meta) {
        if (!installing() || receiving.meta.index() != meta.index()) {
            state.counters.increment(Counter.STALE_SNAPSHOT_REPORT);
            return false;
        }
        receiving = null;
        MemberState.check(
                meta.index() > state.commitIndex,
                "installing a snapshot at %d below commit %d",
                meta.index(),
                state.commitIndex);
        if (!state.log.installSnapshot(meta)) {
            state.durability.truncatedFrom(meta.index() + 1);
        }
        outbox.compactJournal(meta);
        return true;
    }

    private void answer(MemberId leader, long index, long nextOffset, boolean complete) {
        outbox.send(leader, new Message.InstallSnapshotResponse(state.self, state.term, index, nextOffset, complete));
    }
}
