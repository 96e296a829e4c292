package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The leader's ReadIndex rounds (PROTOCOL.md §9): a linearizable read gets the commit index as its read index once a
 * quorum has echoed a round issued after it arrived, which proves this member still led when the read came. A leader
 * gives read indexes only once an entry of its own term is committed; earlier reads wait for that. Part of its
 * {@link Leader}, which sends the rounds with its appends.
 *
 * <p>Rounds are batched: at most one is in flight. A read that arrives while one is waits for the next, which is
 * issued when the one in flight is confirmed, for every read that arrived meanwhile. Each read still gets a round
 * issued after it arrived; a burst of reads costs two rounds, not one each, and a round's confirmation settles its
 * reads in one pass.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class ReadBarriers {
    private final MemberState state;
    private final Outbox outbox;
    private final PendingOperations pending;
    /** The leader's followers, whose echoed rounds confirm a read. */
    private final Map<MemberId, Progress> followers;

    private long round;
    /** The highest round a quorum is known to have echoed. */
    private long confirmedRound;
    /** Reads wait for round {@code round + 1}, issued once {@code round} is confirmed. */
    private boolean nextRoundWanted;

    private final List<Barrier> barriers = new ArrayList<>();
    /** Whether the reads that waited for an entry of this term to commit were started. */
    private boolean released;

    /** A read waiting for quorum confirmation of this leadership at {@code round} (-1: not started). */
    private record Barrier(MemberId requester, long readId, long readIndex, long round) {}

    ReadBarriers(MemberState state, Outbox outbox, PendingOperations pending, Map<MemberId, Progress> followers) {
        this.state = state;
        this.outbox = outbox;
        this.pending = pending;
        this.followers = followers;
    }

    /** The latest round issued: carried by every append, echoed by followers. */
    long round() {
        return round;
    }

    /** Whether an entry of this term is committed: only then is the commit index a safe read index (§9). */
    private boolean committedInTerm() {
        return state.ownTermCommitted() || !state.rules.newLeaderAppendsNoOp();
    }

    /**
     * A read from {@code requester} (this member or another). Returns whether a new round was issued: the leader
     * then sends it, or confirms at once when it leads alone.
     */
    boolean register(MemberId requester, long readId) {
        if (!committedInTerm()) {
            barriers.add(new Barrier(requester, readId, -1, -1)); // started once the no-op commits
            return false;
        }
        if (round > confirmedRound && !roundConfirmed(round)) {
            barriers.add(new Barrier(requester, readId, state.commitIndex, round + 1)); // a round is in flight
            nextRoundWanted = true;
            return false;
        }
        barriers.add(new Barrier(requester, readId, state.commitIndex, ++round));
        return true;
    }

    /** The commit index advanced; returns whether waiting reads were started in a new round. */
    boolean commitAdvanced() {
        if (released || !committedInTerm()) {
            return false;
        }
        released = true;
        boolean started = false;
        for (int i = 0; i < barriers.size(); i++) {
            Barrier read = barriers.get(i);
            if (read.round() < 0) {
                barriers.set(i, new Barrier(read.requester(), read.readId(), state.commitIndex, round + 1));
                started = true;
            }
        }
        if (started) {
            round++; // one round for all of them
        }
        return started;
    }

    /**
     * Gives its read index to every read whose round a quorum has echoed. A read of this member's own client is
     * answered once the apply point reaches that index, at the end of the step.
     *
     * @return whether the next round was issued for reads that waited for this one: the leader sends it
     */
    boolean confirm() {
        if (round > confirmedRound && roundConfirmed(round)) {
            confirmedRound = round; // rounds are echoed in order: every earlier round is confirmed too
        }
        int kept = 0; // the reads still waiting close up in one pass, not one removal (and shift) per settled read
        for (int i = 0; i < barriers.size(); i++) {
            Barrier read = barriers.get(i);
            if (read.round() < 0 || !confirmed(read.round())) {
                barriers.set(kept++, read);
            } else if (read.requester().equals(state.self)) {
                PendingOperations.PendingRead local = pending.read(read.readId());
                if (local != null) {
                    pending.confirmRead(local, read.readIndex());
                }
            } else {
                outbox.send(
                        read.requester(),
                        new Message.ReadIndexResponse(state.self, state.term, read.readId(), read.readIndex()));
            }
        }
        barriers.subList(kept, barriers.size()).clear();
        if (nextRoundWanted && confirmedRound >= round) {
            nextRoundWanted = false;
            round++;
            return true;
        }
        return false;
    }

    /**
     * Whether {@code readRound} is confirmed: at or below the highest confirmed round (a follower's echo is its highest
     * round seen, so a quorum that echoed a round echoed every earlier one), or confirmed now on its own.
     */
    private boolean confirmed(long readRound) {
        return readRound <= confirmedRound || readRound < round && roundConfirmed(readRound);
    }

    private boolean roundConfirmed(long round) {
        TreeSet<MemberId> confirmed = new TreeSet<>();
        confirmed.add(state.self);
        for (var follower : followers.entrySet()) {
            if (follower.getValue().readRoundAcked() >= round) {
                confirmed.add(follower.getKey());
            }
        }
        return state.configuration().isQuorumOf(state.counted(confirmed::contains));
    }
}
