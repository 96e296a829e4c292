package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leader's half of the protocol for one term: per-follower replication with a bounded pipeline (PROTOCOL.md
 * §4), commit by quorum of every configuration in force plus {@code minCopies} (§4.3), check-quorum (§6), ReadIndex
 * confirmation rounds (§9) and leadership transfer (§6). Lives exactly as long as its member leads the term. It
 * computes what may commit; its dispatcher raises the commit index and runs what follows at the end of the step.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class Leader {
    private final MemberState state;
    private final Outbox outbox;
    private final ProtocolOptions options;
    private final ReplicationLog log;
    /** The data of an empty chunk: a heartbeat during a snapshot transfer. */
    private static final byte[] NO_BYTES = new byte[0];

    private final TreeMap<MemberId, Progress> followers = new TreeMap<>();
    /**
     * Members the latest configuration removed: still sent appends (never counted) until the removal has been
     * committed for a grace period, so that they learn it committed, apply it and tell their application (§8).
     */
    private final TreeMap<MemberId, Progress> departing = new TreeMap<>();

    private int departingGraceTicks;
    /** Members heard from since the last check-quorum (PROTOCOL.md §6). */
    private final TreeSet<MemberId> recentlyActive = new TreeSet<>();

    /** Ticks since this leadership began: the clock of dynamic voting (§7). */
    private long now;

    private int heartbeatElapsed;
    private int checkQuorumElapsed;

    private final ReadBarriers reads;
    private final SnapshotSending snapshots;
    /** Reads back entries evicted from the cache, for followers behind it. */
    private final LogReads logReads;

    private Optional<MemberId> transferTarget = Optional.empty();
    /** The configuration {@link #followers} matches. */
    private QuorumSystem syncedFor;

    private int transferElapsed;
    private final CommitRule commitRule;

    /** What a tick asks of the dispatcher: check-quorum may end this leadership or roll a change back (§3, §6). */
    enum TickOutcome {
        /** Keep leading. */
        STAY,
        /** No active quorum: step down. */
        STEP_DOWN,
        /** The uncommitted J of this term lost its new half's quorum: roll it back, then keep leading. */
        ROLL_BACK
    }

    Leader(MemberState state, Outbox outbox, PendingOperations pending, LogReads logReads) {
        this.state = state;
        this.logReads = logReads;
        this.outbox = outbox;
        this.options = state.options;
        this.log = state.log;
        this.reads = new ReadBarriers(state, outbox, pending, followers);
        this.snapshots = new SnapshotSending(state, outbox);
        this.commitRule = new CommitRule(state, followers);
        this.syncedFor = state.configuration();
        for (MemberId id : state.members()) {
            if (!id.equals(state.self)) {
                followers.put(id, new Progress(log.lastIndex() + 1, now));
            }
        }
    }

    /** Tracks exactly the members of the configuration in force: new ones are probed from the end of the log. */
    void syncFollowers() {
        if (state.configuration() == syncedFor) {
            return;
        }
        syncedFor = state.configuration();
        SortedSet<MemberId> members = state.members();
        departing.clear();
        for (var follower : followers.entrySet()) {
            if (!members.contains(follower.getKey())) {
                departing.put(follower.getKey(), follower.getValue());
            }
        }
        departingGraceTicks = 2 * options.electionTimeoutMaxTicks();
        followers.keySet().removeIf(id -> !members.contains(id));
        for (MemberId id : members) {
            if (!id.equals(state.self) && !followers.containsKey(id)) {
                Progress progress = new Progress(log.lastIndex() + 1, now);
                followers.put(id, progress);
                replicate(id, progress);
            }
        }
    }

    /**
     * This leader is not a voter of the committed configuration (PROTOCOL.md §3 rule 4): asks its most up-to-date voter
     * to start an election at once. The caller then steps down.
     */
    void handOver(Configuration committed) {
        MemberId best = null;
        long bestMatch = -1;
        for (Voter voter : committed.voters()) {
            Progress progress = followers.get(voter.id());
            boolean counts = state.countsAs(voter.id(), voter.incarnation()); // else it cannot win
            if (progress != null && counts && progress.matchIndex() > bestMatch) {
                best = voter.id();
                bestMatch = progress.matchIndex();
            }
        }
        if (best != null) {
            outbox.send(best, new Message.TimeoutNow(state.self, state.term));
        }
    }

    boolean transferring() {
        return transferTarget.isPresent();
    }

    TickOutcome tick() {
        now++;
        if (!departing.isEmpty() && state.commitIndex >= log.configurationIndex() && --departingGraceTicks <= 0) {
            departing.clear();
        }
        if (++heartbeatElapsed >= options.heartbeatTicks()) {
            heartbeatElapsed = 0;
            heartbeat();
        }
        if (transferTarget.isPresent() && ++transferElapsed >= options.electionTimeoutMinTicks()) {
            transferTarget = Optional.empty(); // gave up; accept writes again
        }
        if (++checkQuorumElapsed >= options.electionTimeoutMinTicks()) {
            checkQuorumElapsed = 0;
            recentlyActive.add(state.self);
            QuorumSystem.VoterTest active = state.counted(recentlyActive::contains);
            TickOutcome outcome = state.configuration().isQuorumOf(active)
                    ? TickOutcome.STAY
                    : stranded(active) ? TickOutcome.ROLL_BACK : TickOutcome.STEP_DOWN;
            recentlyActive.clear(); // after the tests above, which read it
            return outcome;
        }
        return TickOutcome.STAY;
    }

    /**
     * Whether this leader's own uncommitted J is stranded: its new half has no active quorum but its old half has. It is
     * then rolled back (PROTOCOL.md §3, rollback): a voter of the new half was wiped or went silent after the change
     * was proposed, and since only one change may be pending, stepping down would leave the group waiting for that
     * voter. Only a J of this term: a leader knows whether it committed its own J, but not whether an earlier leader
     * committed an inherited one and appended its C_new, which the old half need not intersect. Under the old half
     * the leader has an active quorum.
     */
    private boolean stranded(QuorumSystem.VoterTest active) {
        long index = log.configurationIndex();
        return state.configuration() instanceof JointConfiguration joint
                && index > state.commitIndex
                && log.termAt(index) == state.term
                && !joint.next().isQuorumOf(active)
                && joint.old().isQuorumOf(active);
    }

    /**
     * Dynamic linear voting (PROTOCOL.md §7), first half: tracks the catch-up of voters returning to a configuration
     * that suspended them. Runs on every tick the leader stays.
     */
    void trackReturningVoters() {
        if (!(state.configuration() instanceof Configuration current)) {
            return; // a joint configuration: a change is in flight
        }
        for (Voter configured : current.nominal()) {
            Progress progress = followers.get(configured.id());
            boolean returning =
                    DynamicVotingMonitor.returning(current, configured, state.incarnationOf(configured.id()));
            if (returning && progress != null && progress.steadySinceTick() >= 0) {
                progress.trackCatchUp(now, log.lastIndex(), options.electionTimeoutMinTicks());
            }
        }
    }

    /**
     * Dynamic linear voting, second half: the configuration that suspends silent voters, re-admits caught-up ones and
     * records the new incarnation of voters whose disks were wiped, if one is due. Asked only while no change is in
     * progress; proposing it is the caller's.
     */
    Optional<Configuration> dynamicVotingProposal() {
        if (!(state.configuration() instanceof Configuration current)) {
            return Optional.empty();
        }
        return DynamicVotingMonitor.proposal(
                        current,
                        state.self,
                        followers,
                        state::incarnationOf,
                        now,
                        options.dynamicVoting(),
                        options.electionTimeoutMinTicks())
                .filter(target -> target.isQuorumOf(state.counted(this::heardWithinElectionTimeout)));
    }

    /**
     * Whether {@code id} is this leader or answered within an election timeout. Dynamic voting proposes only a
     * configuration such members can commit: a voter that just fell silent is not yet suspect, and a J whose new half
     * leans on it could be stranded for good should that voter's disk turn out to be wiped.
     */
    private boolean heardWithinElectionTimeout(MemberId id) {
        if (id.equals(state.self)) {
            return true;
        }
        Progress progress = followers.get(id);
        return progress != null && now - progress.lastHeardTick() <= options.electionTimeoutMinTicks();
    }

    /**
     * Whether follower {@code id} has caught up, as a new voter must have (PROTOCOL.md §8): heard within an election
     * timeout, and holding every committed entry. It then acknowledges new entries about as fast as the voters do.
     */
    boolean caughtUp(MemberId id) {
        Progress progress = followers.get(id);
        return progress != null && heardWithinElectionTimeout(id) && progress.matchIndex() >= state.commitIndex;
    }

    private void heartbeat() {
        for (Progress progress : followers.values()) {
            progress.heartbeat();
        }
        sendRound();
    }

    /** Sends every follower what its window allows, or an empty append carrying commit index and read round. */
    private void sendRound() {
        for (var gone : departing.entrySet()) { // the entry removing them, then the commit index covering it
            if (!replicate(gone.getKey(), gone.getValue())) {
                keepAlive(gone.getKey(), gone.getValue());
            }
        }
        for (var follower : followers.entrySet()) {
            Progress progress = follower.getValue();
            if (!replicate(follower.getKey(), progress)) {
                keepAlive(follower.getKey(), progress);
            }
        }
    }

    void replicateToAll() {
        for (var gone : departing.entrySet()) {
            replicate(gone.getKey(), gone.getValue());
        }
        for (var follower : followers.entrySet()) {
            replicate(follower.getKey(), follower.getValue());
        }
    }

    /** A heartbeat: an empty append carrying commit index and read round, or, during a transfer, a chunk probe. */
    private void keepAlive(MemberId to, Progress progress) {
        if (progress.state()
                != Progress.State.SNAPSHOT) { // from our snapshot on at least: before it we hold no terms to check
            sendAppend(to, Math.max(progress.matchIndex(), log.snapshotIndex()) + 1, List.of());
        } else {
            snapshots.keepAlive(to, progress, now);
        }
    }

    /** A follower's answer to a snapshot chunk (PROTOCOL.md §8). */
    void onInstallSnapshotResponse(Message.InstallSnapshotResponse response) {
        commitRule.acknowledgementsChanged();
        Progress progress = followers.get(response.from());
        if (progress != null) {
            recentlyActive.add(response.from());
            progress.heard(now, options.electionTimeoutMinTicks());
        } else {
            progress = departing.get(response.from());
            if (progress == null) {
                return;
            }
        }
        if (response.complete()) {
            progress.acknowledged(Math.min(response.index(), log.lastIndex()));
            replicate(response.from(), progress);
            return;
        }
        if (snapshots.chunkAnswered(response, progress)) {
            replicate(response.from(), progress);
        }
    }

    /** Sends what the window allows; returns whether anything was sent. */
    private boolean replicate(MemberId to, Progress progress) {
        if (progress.nextIndex() <= log.snapshotIndex() || progress.state() == Progress.State.SNAPSHOT) {
            return snapshots.sendNext(to, progress, now); // behind our snapshot: the entries it needs are gone
        }
        if (progress.state() == Progress.State.PROBE) {
            if (!progress.mayProbe()) {
                return false;
            }
            // An evicted entry is not read back for a probe: an empty one finds the match just as well.
            sendAppend(to, progress.nextIndex(), slice(progress.nextIndex()));
            progress.probed();
            return true;
        }
        boolean sent = false;
        while (progress.windowOpen(options.maxInflightAppends()) && progress.nextIndex() <= log.lastIndex()) {
            List<Entry> entries = slice(progress.nextIndex());
            if (entries.isEmpty()) { // evicted from the cache: streamed back from the journal, then sent
                logReads.request(progress.nextIndex());
                break;
            }
            sendAppend(to, progress.nextIndex(), entries);
            progress.sent(entries.get(entries.size() - 1).index());
            sent = true;
        }
        return sent;
    }

    private List<Entry> slice(long from) {
        return log.slice(from, options.maxEntriesPerAppend(), options.maxAppendBytes());
    }

    private void sendAppend(MemberId to, long firstIndex, List<Entry> entries) {
        long prevIndex = firstIndex - 1;
        outbox.send(
                to,
                new Message.AppendRequest(
                        state.self,
                        state.term,
                        prevIndex,
                        log.termAt(prevIndex),
                        entries,
                        state.commitIndex,
                        reads.round()));
    }

    /**
     * {@code id} came back with a new incarnation: its disk, and everything it acknowledged, is gone. Start over as
     * with a new member, probing from the end of the log.
     */
    void reincarnated(MemberId id) {
        commitRule.acknowledgementsChanged();
        if (followers.containsKey(id)) {
            followers.put(id, new Progress(log.lastIndex() + 1, now));
        } else if (departing.containsKey(id)) {
            departing.put(id, new Progress(log.lastIndex() + 1, now));
        }
    }

    void onAppendResponse(Message.AppendResponse response) {
        commitRule.acknowledgementsChanged();
        Progress progress = followers.get(response.from());
        if (progress == null) {
            Progress gone = departing.get(response.from());
            if (gone != null) { // replicated to, never counted
                if (response.success()) {
                    gone.acknowledged(Math.min(response.matchIndex(), log.lastIndex()));
                } else {
                    gone.probeFrom(nextIndexAfterRejection(response));
                }
                replicate(response.from(), gone);
            }
            return;
        }
        // A member whose storage is faulted answers, but neither votes nor acknowledges: it counts as silent, for
        // check-quorum, rollback and dynamic voting alike, until repaired.
        boolean storageFaulted = response.asksForRepair();
        if (!storageFaulted) {
            recentlyActive.add(response.from());
            progress.heard(now, options.electionTimeoutMinTicks());
        }
        progress.readRoundEchoed(response.readRound());
        if (response.success()) {
            MemberState.check(
                    response.matchIndex() <= log.lastIndex(),
                    "follower acknowledged %d beyond leader's last %d",
                    response.matchIndex(),
                    log.lastIndex());
            progress.acknowledged(response.matchIndex());
            if (transferTarget.equals(Optional.of(response.from())) && progress.matchIndex() == log.lastIndex()) {
                outbox.send(response.from(), new Message.TimeoutNow(state.self, state.term));
            }
        } else if (storageFaulted) {
            // Nothing it acknowledged counts any more. Repaired from entry 1: by the latest snapshot when the log is
            // compacted, else by the whole log, which needs nothing committed first (PROTOCOL.md §5).
            progress.forgetAcknowledged(1);
        } else {
            long next = nextIndexAfterRejection(response);
            if (next > progress.matchIndex()) {
                progress.probeFrom(next);
            } else if (progress.rejectedBelowMatch()) {
                // The follower rejects the probes themselves below what it acknowledged: it lost acknowledged
                // entries (PROTOCOL.md §5, "Damage the journal cannot see"). Ignored as stale for ever, it would
                // never catch up.
                state.counters.increment(ProtocolCounters.Counter.ACKNOWLEDGED_ENTRIES_LOST);
                progress.forgetAcknowledged(next);
            } else {
                // A stale rejection (reordered, duplicated, or from before a later acceptance): the follower holds
                // everything up to its match index. Answering it would only resend what is in flight, and each
                // duplicate would multiply the resends (PROTOCOL.md §8).
                confirmReads();
                return;
            }
        }
        replicate(response.from(), progress);
        confirmReads();
    }

    /** Fast back-off with the follower's conflict hint (PROTOCOL.md §8). */
    private long nextIndexAfterRejection(Message.AppendResponse response) {
        long next = response.conflictIndex();
        if (response.conflictTerm() > 0) {
            long lastOfTerm = log.lastIndexOfTerm(response.conflictTerm());
            if (lastOfTerm > 0) {
                next = lastOfTerm + 1;
            }
        }
        return Math.max(1, Math.min(next, log.lastIndex() + 1));
    }

    /** Each follower's health, in member order (issue 24): reachable means heard within the minimum timeout. */
    List<FollowerHealth> health() {
        List<FollowerHealth> health = new ArrayList<>(followers.size());
        for (var follower : followers.entrySet()) {
            long silent = now - follower.getValue().lastHeardTick();
            health.add(new FollowerHealth(
                    follower.getKey(),
                    follower.getValue().matchIndex(),
                    silent,
                    silent <= options.electionTimeoutMinTicks()));
        }
        return health;
    }

    /** The index to commit up to (PROTOCOL.md §4 step 3); see {@link CommitRule}. */
    long committableIndex() {
        return commitRule.committableIndex();
    }

    /** The commit index advanced: reads that waited for an entry of this term to commit start their round (§9). */
    void commitAdvanced() {
        if (reads.commitAdvanced()) {
            sendReadRound();
        }
    }

    /** A read to confirm, from this member's client or another member's (PROTOCOL.md §9). */
    void registerRead(MemberId requester, long readId) {
        if (reads.register(requester, readId)) {
            sendReadRound();
        }
    }

    /**
     * Sends a new read round to every follower, and confirms it at once when this leader alone is a quorum of every
     * configuration in force (§9): a sole voter with learners hears no echo that counts, so waiting for one would
     * hold its reads forever.
     */
    private void sendReadRound() {
        if (!followers.isEmpty()) {
            sendRound();
        }
        confirmReads();
    }

    /** Settles the reads whose round is confirmed, and sends the next round if reads wait for it (ReadBarriers). */
    private void confirmReads() {
        if (reads.confirm()) {
            sendReadRound();
        }
    }

    void startTransfer(MemberId target) {
        transferTarget = Optional.of(target);
        transferElapsed = 0;
        Progress progress = followers.get(target);
        if (progress != null && progress.matchIndex() == log.lastIndex()) {
            outbox.send(target, new Message.TimeoutNow(state.self, state.term));
        } else if (progress != null) {
            replicate(target, progress);
        }
    }
}
