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

    Progress(long nextIndex) {
        this.nextIndex = nextIndex;
    }

    /** The follower's log matches ours up to {@code index}, durably. */
    void acknowledged(long index) {
        if (index > matchIndex) {
            matchIndex = index;
            heartbeatsWithoutProgress = 0;
        }
        nextIndex = Math.max(nextIndex, matchIndex + 1);
        while (!inflight.isEmpty() && inflight.peekFirst() <= matchIndex) {
            inflight.pollFirst();
        }
        probing = false;
        probeSent = false;
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
