package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.ProtocolCounters.Counter;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Elections (PROTOCOL.md §6): the election timer, pre-vote, votes with the durability rule of §5 (a vote or a term
 * counts only once persisted), the leader lease that shields a live leader, and the transitions between follower,
 * pre-candidate and candidate. Becoming leader, and leaving the leader role, are the dispatcher's: they involve the
 * leader's replication state, which this handler does not see.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class Election {
    private final MemberState state;
    private final Outbox outbox;
    /** Pre-votes or votes gathered in the current round, this member's own included. */
    private final TreeSet<MemberId> votes = new TreeSet<>();

    Election(MemberState state, Outbox outbox) {
        this.state = state;
        this.outbox = outbox;
    }

    /** A tick at a member that does not lead: campaigns once the election timer runs out. */
    void tick(boolean installingSnapshot) {
        state.ticksSinceLeaderContact = Math.min(state.ticksSinceLeaderContact + 1, Long.MAX_VALUE / 2);
        if (++state.electionElapsed >= state.electionTimeout && mayCampaign(installingSnapshot)) {
            startPreVote();
        }
    }

    /**
     * A voter of its latest configuration campaigns; so does a voter of the previous one while the latest is not known
     * committed: a member removed by an uncommitted entry may still be the vote that finishes the change (a leader
     * that crashed right after appending C_new leaves voters that lack C_new). Who wins is still decided by votes
     * under the candidate's latest configuration (PROTOCOL.md §3), so this is safe.
     */
    private boolean mayCampaign(boolean installingSnapshot) {
        if (state.storageFaulted || installingSnapshot) {
            return false; // its log cannot be trusted, or is about to be replaced
        }
        if (state.configuration().isVoterAs(state.self, state.selfIncarnation)
                || (!state.rules.countOnlyRecordedIncarnations()
                        && state.configuration().isVoter(state.self))) {
            return true;
        }
        long latest = state.log.configurationIndex();
        return latest > state.commitIndex
                && state.log.configurationBefore(latest).isVoterAs(state.self, state.selfIncarnation);
    }

    private void startPreVote() {
        state.role = Role.PRE_CANDIDATE;
        state.leaderId = Optional.empty();
        votes.clear();
        votes.add(state.self);
        state.resetElectionTimer();
        outbox.broadcastToVoters(
                new Message.PreVoteRequest(state.self, state.term + 1, state.log.lastIndex(), state.log.lastTerm()));
        if (state.configuration().isQuorumOf(state.counted(votes::contains))) {
            startElection(false);
        }
    }

    /**
     * Starts a real election in the next term. This member's own vote counts only once it is durable, so it cannot
     * win in this step: {@link #maybeWon} is asked again when the persist completes.
     */
    private void startElection(boolean leadershipTransfer) {
        MemberState.check(Domains.contains(state.term + 1), "§10: terms stay below 2^62, so term + 1 never overflows");
        state.role = Role.CANDIDATE;
        state.term++;
        state.votedFor = Optional.of(state.self);
        outbox.hardStateChanged();
        state.leaderId = Optional.empty();
        votes.clear();
        votes.add(state.self);
        state.resetElectionTimer();
        outbox.broadcastToVoters(new Message.VoteRequest(
                state.self, state.term, state.log.lastIndex(), state.log.lastTerm(), leadershipTransfer));
    }

    /** Whether this candidate holds a quorum of votes, its own durable: the caller then makes it leader. */
    boolean maybeWon() {
        if (state.role != Role.CANDIDATE || outbox.hardStateChanging() || !state.durability.hardStateDurable()) {
            return false;
        }
        return state.configuration().isQuorumOf(state.counted(votes::contains))
                || (!state.rules.electByQuorumOnly()
                        && votes.size() * 2 > state.members().size());
    }

    /** This candidate won: it leads its term. */
    void becameLeader() {
        state.role = Role.LEADER;
        state.leaderId = Optional.of(state.self);
        state.ticksSinceLeaderContact = 0;
        votes.clear();
    }

    /**
     * Follows {@code newLeader} (or none) in {@code newTerm}, which is never below the current term. The caller ends a
     * leadership first; this handler never sees a leader step down.
     */
    void becomeFollower(long newTerm, Optional<MemberId> newLeader) {
        MemberState.check(state.role != Role.LEADER, "a leader steps down through its dispatcher");
        MemberState.check(Domains.contains(newTerm), "§10: a term outside its domain reached the core: %d", newTerm);
        boolean termChanged = newTerm > state.term;
        if (termChanged) {
            state.term = newTerm;
            state.votedFor = Optional.empty();
            outbox.hardStateChanged();
        }
        // What this member verified against a leader holds only for that leader *in that term*: the same member
        // leading a later term may hold a different log.
        boolean leaderChanged = termChanged || !newLeader.equals(state.leaderId);
        state.role = Role.FOLLOWER;
        state.leaderId = newLeader;
        votes.clear();
        if (leaderChanged) {
            state.verifiedIndex = 0;
            state.lastAckedMatch = 0;
            state.ackPending = false;
            state.readRoundSeen = 0;
        }
        state.resetElectionTimer();
    }

    /** A message only a leader of the current term sends arrived: follow it and restart the election timer. */
    void followLeader(MemberId from) {
        MemberState.check(state.role != Role.LEADER, "§11.1: two leaders in term %d", state.term);
        if (state.role != Role.FOLLOWER || state.leaderId.isEmpty()) {
            becomeFollower(state.term, Optional.of(from));
        }
        state.leaderId = Optional.of(from);
        state.electionElapsed = 0;
        state.ticksSinceLeaderContact = 0;
    }

    /** {@code member} came back with a new incarnation: what its earlier life voted no longer counts (§5). */
    void forget(MemberId member) {
        votes.remove(member);
    }

    void onPreVoteRequest(Message.PreVoteRequest request) {
        boolean granted = request.term() > state.term
                && !state.storageFaulted
                && !state.inLeaderLease()
                && state.candidateLogUpToDate(request.lastLogIndex(), request.lastLogTerm());
        if (!granted && request.term() > state.term && state.inLeaderLease()) {
            state.counters.increment(Counter.VOTE_IN_LEASE);
        }
        outbox.send(
                request.from(),
                new Message.PreVoteResponse(state.self, granted ? request.term() : state.term, granted));
    }

    /** A granted pre-vote (a refusal carrying a higher term is the dispatcher's: it may end a leadership). */
    void onPreVoteGranted(Message.PreVoteResponse response) {
        if (state.role == Role.PRE_CANDIDATE && response.term() == state.term + 1) {
            votes.add(response.from());
            if (state.configuration().isQuorumOf(state.counted(votes::contains))) {
                startElection(false);
            }
        }
    }

    void onVoteRequest(Message.VoteRequest request) {
        if (request.term() < state.term) {
            outbox.send(request.from(), new Message.VoteResponse(state.self, state.term, false));
            return;
        }
        boolean canVote = state.votedFor.isEmpty() || state.votedFor.get().equals(request.from());
        boolean leaseHolds = state.inLeaderLease() && !request.leadershipTransfer();
        boolean granted = canVote
                && !state.storageFaulted // it may have voted in this term already: the record is what was damaged
                && state.role != Role.LEADER
                && !leaseHolds
                && state.candidateLogUpToDate(request.lastLogIndex(), request.lastLogTerm());
        if (granted) {
            if (state.votedFor.isEmpty()) {
                state.votedFor = Optional.of(request.from());
                outbox.hardStateChanged();
            }
            state.electionElapsed = 0;
        }
        // Held by the outbox until the vote is durable (PROTOCOL.md §5).
        outbox.send(request.from(), new Message.VoteResponse(state.self, state.term, granted));
    }

    /** Returns whether the vote made this candidate win. */
    boolean onVoteResponse(Message.VoteResponse response) {
        if (state.role == Role.CANDIDATE && response.term() == state.term && response.granted()) {
            votes.add(response.from());
            return maybeWon();
        }
        return false;
    }

    /** The leader hands over (PROTOCOL.md §6): campaign at once, past the lease, if it is our leader of this term. */
    void onTimeoutNow(Message.TimeoutNow timeoutNow) {
        if (timeoutNow.term() == state.term
                && state.role == Role.FOLLOWER
                && state.leaderId.equals(Optional.of(timeoutNow.from()))) {
            startElection(true);
        } else {
            state.counters.increment(Counter.STALE_TERM);
        }
    }
}
