package dev.echo.core.protocol;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (PROTOCOL.md §8, resync), in one of three states, as in etcd's raft:
 * <ul>
 *   <li>{@link State#PROBE}: where the follower's log matches ours is not known; one append at a time, each waiting
 *       for its answer or a heartbeat, until one is accepted;
 *   <li>{@link State#REPLICATE}: the logs match up to {@link #matchIndex()}; appends are pipelined up to the window;
 *   <li>{@link State#SNAPSHOT}: the follower is behind the leader's snapshot; one chunk at a time until it holds it.
 * </ul>
 * Every change goes through a transition method here; the leader only reads the fields. Also the liveness record
 * dynamic voting reads (§7) and the read round the follower echoed (§9).
 *
 * <p>Threading: not thread-safe; owned by one {@link Leader}.
 */
final class Progress {
    /** How the leader replicates to the follower. */
    enum State {
        /** One append at a time until the follower accepts one. */
        PROBE,
        /** Pipelined appends up to the window. */
        REPLICATE,
        /** A snapshot transfer, one chunk at a time. */
        SNAPSHOT
    }

    /** Rejections below the match index, in a row, that mean the follower lost what it acknowledged. */
    static final int LOST_ACKNOWLEDGED_AFTER = 3;

    private State state = State.PROBE;
    private long nextIndex;
    private long matchIndex;
    /** In {@link State#PROBE}: whether the probe was sent since the last heartbeat or answer. */
    private boolean probeSent;
    /** Last index of each AppendRequest in flight, oldest first. */
    private final ArrayDeque<Long> inflight = new ArrayDeque<>();
    /**
     * Heartbeat intervals since the follower's match index last advanced while requests were in flight. Counts
     * progress, not answers: a follower answering heartbeats while the requests carrying entries were lost must
     * still be re-probed.
     */
    private int heartbeatsWithoutProgress;
    /**
     * Rejections whose hint lay at or below the match index since the follower last acknowledged anything: see
     * {@link #rejectedBelowMatch}.
     */
    private int rejectionsBelowMatch;
    /** Highest read round the follower has echoed. */
    private long readRoundAcked;

    // Liveness as dynamic voting sees it (PROTOCOL.md §7), in the leader's ticks.
    /** When the follower last answered; starts at the leader's first tick, so a new leader grants a full grace. */
    private long lastHeardTick;
    /** Start of the follower's current run of steady answers, or -1 before its first answer. */
    private long steadySinceTick = -1;
    /** The catch-up round in progress: reach {@code roundTarget}, started at {@code roundStartTick} (-1: none). */
    private long roundTarget;

    private long roundStartTick = -1;
    /** Whether the last completed catch-up round was shorter than an election timeout. */
    private boolean caughtUp;

    // In State.SNAPSHOT: the transfer.
    /** The snapshot being sent, or null outside {@link State#SNAPSHOT}. */
    private SnapshotMeta snapshot;
    /** The offset the follower expects next. */
    private long snapshotOffset;
    /** When the chunk in flight was sent, or -1 when none is: one at a time, the backpressure. */
    private long chunkSentTick = -1;

    Progress(long nextIndex, long now) {
        this.nextIndex = nextIndex;
        this.lastHeardTick = now;
    }

    State state() {
        return state;
    }

    long nextIndex() {
        return nextIndex;
    }

    long matchIndex() {
        return matchIndex;
    }

    long readRoundAcked() {
        return readRoundAcked;
    }

    long lastHeardTick() {
        return lastHeardTick;
    }

    long steadySinceTick() {
        return steadySinceTick;
    }

    boolean caughtUp() {
        return caughtUp;
    }

    SnapshotMeta snapshot() {
        return snapshot;
    }

    long snapshotOffset() {
        return snapshotOffset;
    }

    long chunkSentTick() {
        return chunkSentTick;
    }

    /**
     * The follower answered at {@code now}. A silence longer than {@code gapTicks} ends its run of steady answers and
     * any catch-up round.
     */
    void heard(long now, int gapTicks) {
        if (steadySinceTick < 0 || now - lastHeardTick > gapTicks) {
            steadySinceTick = now;
            roundStartTick = -1;
            caughtUp = false;
        }
        lastHeardTick = now;
    }

    /** The follower echoed read round {@code round} (PROTOCOL.md §9). */
    void readRoundEchoed(long round) {
        readRoundAcked = Math.max(readRoundAcked, round);
    }

    /**
     * Catch-up rounds (PROTOCOL.md §7, the Raft thesis's rule): each round aims at the leader's last index when it
     * began; a follower has caught up when a round ends in less than {@code roundLimitTicks}.
     */
    void trackCatchUp(long now, long lastIndex, int roundLimitTicks) {
        if (roundStartTick < 0) {
            roundStartTick = now;
            roundTarget = lastIndex;
        } else if (matchIndex >= roundTarget) {
            caughtUp = now - roundStartTick < roundLimitTicks;
            roundStartTick = now;
            roundTarget = lastIndex;
        }
    }

    /**
     * The follower's log matches ours up to {@code index}, durably: it leaves {@link State#PROBE}, and leaves
     * {@link State#SNAPSHOT} once it holds the snapshot.
     */
    void acknowledged(long index) {
        rejectionsBelowMatch = 0;
        if (index > matchIndex) {
            matchIndex = index;
            heartbeatsWithoutProgress = 0;
        }
        nextIndex = Math.max(nextIndex, matchIndex + 1);
        if (snapshot != null && matchIndex >= snapshot.index()) {
            snapshot = null; // the follower has it: back to entries
            chunkSentTick = -1;
        }
        while (!inflight.isEmpty() && inflight.peekFirst() <= matchIndex) {
            inflight.pollFirst();
        }
        State before = state;
        state = snapshot == null ? State.REPLICATE : State.SNAPSHOT;
        if (before != State.REPLICATE && state == State.REPLICATE) {
            // Pipelining starts right after what the follower holds, as etcd's becomeReplicate does. A fresh progress
            // aims past the end of the leader's log; left there, with nothing in flight to time out, a follower that
            // answered from further back would get nothing more until the leader's next write (PROTOCOL.md §8).
            nextIndex = matchIndex + 1;
        }
        probeSent = false;
    }

    /**
     * The follower no longer holds what it acknowledged (PROTOCOL.md §5): its storage is faulted, and replication
     * restarts from entry 1 (a snapshot transfer when the leader's log is compacted); or it lost entries without a
     * fault to say so ({@link #rejectedBelowMatch}), and replication restarts from its hint. Either way nothing it
     * acknowledged counts any more, and the probe from {@code next} is checked against our log as any probe is.
     */
    void forgetAcknowledged(long next) {
        matchIndex = 0;
        rejectionsBelowMatch = 0;
        probeFrom(next);
    }

    /**
     * A rejection whose hint lies at or below the match index arrived. Once, it is stale (reordered or duplicated: the
     * follower holds everything up to its match index). {@value #LOST_ACKNOWLEDGED_AFTER} in a row with no
     * acknowledgement between, the follower answers the probes themselves that way: its log lost entries it
     * acknowledged, without a storage fault to say so (PROTOCOL.md §5, "Damage the journal cannot see"). Returns whether that is so.
     */
    boolean rejectedBelowMatch() {
        return ++rejectionsBelowMatch >= LOST_ACKNOWLEDGED_AFTER;
    }

    /**
     * Starts over from {@code next} one request at a time (a rejection, or requests presumed lost). A transfer in
     * progress goes on: the follower still lacks the snapshot.
     */
    void probeFrom(long next) {
        nextIndex = Math.max(next, matchIndex + 1);
        inflight.clear();
        if (state != State.SNAPSHOT) {
            state = State.PROBE;
        }
        probeSent = false;
        heartbeatsWithoutProgress = 0;
    }

    /** In {@link State#PROBE}: whether a probe may go now (one per heartbeat or answer). */
    boolean mayProbe() {
        return state == State.PROBE && !probeSent;
    }

    /** The probe starting at {@link #nextIndex()} went out. */
    void probed() {
        probeSent = true;
    }

    /** In {@link State#REPLICATE}: whether the window has room for another append. */
    boolean windowOpen(int maxInflight) {
        return inflight.size() < maxInflight;
    }

    /** An append ending at {@code lastIndex} went out in the pipeline. */
    void sent(long lastIndex) {
        inflight.addLast(lastIndex);
        nextIndex = lastIndex + 1;
    }

    /**
     * A heartbeat interval passed. Requests in flight for two intervals without progress are presumed lost and sent
     * again from {@code matchIndex + 1}; a probe may go again either way.
     */
    void heartbeat() {
        if ((!inflight.isEmpty() || probeSent) && ++heartbeatsWithoutProgress >= 2) {
            probeFrom(matchIndex + 1);
        }
        probeSent = false;
    }

    /** Aims the transfer at {@code newest}; a transfer of an older snapshot starts over with it. */
    void sendSnapshot(SnapshotMeta newest) {
        if (snapshot == null || snapshot.index() != newest.index()) {
            snapshot = newest;
            snapshotOffset = 0;
        }
        state = State.SNAPSHOT;
    }

    /** A chunk from {@link #snapshotOffset()} went out at {@code now}. */
    void chunkSent(long now) {
        chunkSentTick = now;
    }

    /** The follower expects {@code nextOffset} next: the next chunk may go. */
    void chunkStored(long nextOffset) {
        snapshotOffset = nextOffset;
        chunkSentTick = -1;
    }
}
