package dev.echo.core.protocol;

import dev.echo.core.MemberId;

/**
 * The leader's half of a snapshot transfer (PROTOCOL.md §8) to a follower behind its snapshot: one chunk in flight
 * at a time (the backpressure), resumed from the offset the follower names, restarted when the chunk or the snapshot
 * it came from is lost, and aimed at the newest snapshot. Part of its {@link Leader}; the per-follower state lives in
 * {@link Progress}.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class SnapshotSending {
    /** The data of an empty chunk: a heartbeat during a transfer. */
    private static final byte[] NO_BYTES = new byte[0];

    private final MemberState state;
    private final Outbox outbox;
    private final SnapshotPolicy policy;

    SnapshotSending(MemberState state, Outbox outbox) {
        this.state = state;
        this.outbox = outbox;
        this.policy = state.options.snapshots();
    }

    /** Sends the next chunk unless one is in flight; returns whether it sent one. */
    boolean sendNext(MemberId to, Progress progress, long now) {
        if (progress.chunkSentTick() >= 0) {
            return false;
        }
        startSnapshot(progress);
        sendChunk(to, progress, now);
        return true;
    }

    /** A heartbeat during a transfer: resumes a lost transfer, else an empty chunk asks the follower where it is. */
    void keepAlive(MemberId to, Progress progress, long now) {
        if (progress.chunkSentTick() < 0 || now - progress.chunkSentTick() >= policy.chunkTimeoutTicks()) {
            startSnapshot(progress); // none yet, or the chunk (or the snapshot it came from) is lost: resume
            sendChunk(to, progress, now);
            return;
        }
        SnapshotMeta meta = progress.snapshot(); // keeps the follower's timer
        outbox.send(
                to,
                new Message.InstallSnapshot(
                        state.self,
                        state.term,
                        meta.index(),
                        meta.term(),
                        meta.configuration(),
                        meta.configurationIndex(),
                        progress.snapshotOffset(),
                        NO_BYTES,
                        false));
    }

    /**
     * The follower wrote a chunk and names the offset it expects next. Returns whether the transfer moved on, so the
     * next chunk may go; a stale answer, or one with no news, leaves the chunk in flight (or its timeout) to do that.
     */
    boolean chunkAnswered(Message.InstallSnapshotResponse response, Progress progress) {
        if (progress.snapshot() == null
                || response.index() != progress.snapshot().index()
                || response.nextOffset() == progress.snapshotOffset()) {
            return false;
        }
        progress.chunkStored(response.nextOffset());
        return true;
    }

    /** Aims the transfer at the newest snapshot; a transfer of an older one starts over with it. */
    private void startSnapshot(Progress progress) {
        progress.sendSnapshot(state.snapshotMeta());
    }

    private void sendChunk(MemberId to, Progress progress, long now) {
        progress.chunkSent(now);
        outbox.add(new Output.SendSnapshotChunk(
                to, state.term, progress.snapshot(), progress.snapshotOffset(), policy.chunkBytes()));
    }
}
