package dev.echo.core.protocol;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (PROTOCOL.md §8, resync): what is known to match, what to send next, and
 * the pipeline of AppendRequests in flight. In probe mode the leader sends one request at a time until the
 * follower's log matches; in replicate mode it pipelines up to the window. Not thread-safe.
 */
final class Progress {
    long nextIndex;
    long matchIndex;
    boolean probing = true;
    boolean probeSent;
    /** Last index of each AppendRequest in flight, oldest first. */
    final ArrayDeque<Long> inflight = new ArrayDeque<>();
    /**
     * Heartbeat intervals since the follower's match index last advanced while requests were in flight. Counts
     * progress, not answers: a follower answering heartbeats while the requests carrying entries were lost must
     * still be re-probed.
     */
    int heartbeatsWithoutProgress;
    /** Highest read round the follower has echoed. */
    long readRoundAcked;

    // Liveness as dynamic voting sees it (PROTOCOL.md §7), in the leader's ticks.
    /** When the follower last answered; starts at the leader's first tick, so a new leader grants a full grace. */
    long lastHeardTick;
    /** Start of the follower's current run of steady answers, or -1 before its first answer. */
    long steadySinceTick = -1;
    /** The catch-up round in progress: reach {@code roundTarget}, started at {@code roundStartTick} (-1: none). */
    long roundTarget;

    long roundStartTick = -1;
    /** Whether the last completed catch-up round was shorter than an election timeout. */
    boolean caughtUp;

    // A snapshot transfer (PROTOCOL.md §8) while the follower is behind the leader's snapshot.
    /** The snapshot being sent, or null. */
    SnapshotMeta snapshot;
    /** The offset the follower expects next. */
    long snapshotOffset;
    /** When the chunk in flight was sent, or -1 when none is: one at a time, the backpressure. */
    long chunkSentTick = -1;

    Progress(long nextIndex, long now) {
        this.nextIndex = nextIndex;
        this.lastHeardTick = now;
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

    /** The follower's log matches ours up to {@code index}, durably. */
    void acknowledged(long index) {
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
        probing = false;
        probeSent = false;
    }

    /**
     * The follower's storage is faulted (PROTOCOL.md §5): it holds nothing it acknowledged, so its match index goes
     * back to 0 and replication restarts from entry 1 (a snapshot transfer when the leader's log is compacted).
     */
    void forgetAcknowledged() {
        matchIndex = 0;
        probeFrom(1);
    }

    /** Start over from {@code next} one request at a time (a rejection, or requests presumed lost). */
    void probeFrom(long next) {
        nextIndex = Math.max(next, matchIndex + 1);
        inflight.clear();
        probing = true;
        probeSent = false;
        heartbeatsWithoutProgress = 0;
    }
}
