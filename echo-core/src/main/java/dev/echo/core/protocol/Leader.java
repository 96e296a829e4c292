package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.storage.SnapshotMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leader's half of the protocol for one term: per-follower replication with a bounded pipeline (PROTOCOL.md
 * §4), commit by quorum of every configuration in force plus {@code minCopies} (§4.3), check-quorum (§6), ReadIndex
 * confirmation rounds (§9) and leadership transfer (§6). Lives exactly as long as its member leads the term. Not
 * thread-safe.
 */
final class Leader {
    private final GroupProtocol member;
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

    private long readRound;
    private final List<ReadBarrier> reads = new ArrayList<>();

    private Optional<MemberId> transferTarget = Optional.empty();
    /** The configuration {@link #followers} matches. */
    private QuorumSystem syncedFor;

    private int transferElapsed;
    private final HoldsIndex holdsIndex = new HoldsIndex();

    /** A read waiting for quorum confirmation of this leadership at {@code round}. */
    private record ReadBarrier(MemberId requester, long readId, long readIndex, long round) {}

    Leader(GroupProtocol member) {
        this.member = member;
        this.options = member.options();
        this.log = member.log();
        this.syncedFor = member.configuration();
        for (MemberId id : member.members()) {
            if (!id.equals(member.self())) {
                followers.put(id, new Progress(log.lastIndex() + 1, now));
            }
        }
    }

    /** Tracks exactly the members of the configuration in force: new ones are probed from the end of the log. */
    void syncFollowers() {
        if (member.configuration() == syncedFor) {
            return;
        }
        syncedFor = member.configuration();
        SortedSet<MemberId> members = member.members();
        departing.clear();
        for (var follower : followers.entrySet()) {
            if (!members.contains(follower.getKey())) {
                departing.put(follower.getKey(), follower.getValue());
            }
        }
        departingGraceTicks = 2 * options.electionTimeoutMaxTicks();
        followers.keySet().removeIf(id -> !members.contains(id));
        for (MemberId id : members) {
            if (!id.equals(member.self()) && !followers.containsKey(id)) {
                Progress progress = new Progress(log.lastIndex() + 1, now);
                followers.put(id, progress);
                replicate(id, progress);
            }
        }
    }

    /**
     * This leader is not a voter of the committed configuration (PROTOCOL.md §3 rule 4): ask its most up-to-date voter
     * to start an election at once, then step down.
     */
    void handOver(Configuration committed) {
        MemberId best = null;
        long bestMatch = -1;
        for (Voter voter : committed.voters()) {
            Progress progress = followers.get(voter.id());
            boolean counts = member.countsAs(voter.id(), voter.incarnation()); // else it cannot win
            if (progress != null && counts && progress.matchIndex > bestMatch) {
                best = voter.id();
                bestMatch = progress.matchIndex;
            }
        }
        if (best != null) {
            member.send(best, new Message.TimeoutNow(member.self(), member.term()));
        }
        member.stepDown();
    }

    boolean transferring() {
        return transferTarget.isPresent();
    }

    void tick() {
        now++;
        if (!departing.isEmpty() && member.commitIndex() >= log.configurationIndex() && --departingGraceTicks <= 0) {
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
            recentlyActive.add(member.self());
            QuorumSystem.VoterTest active = member.counted(recentlyActive::contains);
            boolean quorumAlive = member.configuration().isQuorumOf(active) || rolledBackStranded(active);
            recentlyActive.clear();
            if (!quorumAlive) {
                member.stepDown();
                return;
            }
        }
        watchMembership();
    }

    /**
     * Rolls back this leader's own uncommitted J when its new half has no active quorum but its old half has
     * (PROTOCOL.md §3, rollback): a voter of the new half was wiped or went silent after the change was proposed, and
     * since only one change may be pending, stepping down would leave the group waiting for that voter. Only a J of
     * this term: a leader knows whether it committed its own J, but not whether an earlier leader committed an
     * inherited one and appended its C_new, which the old half need not intersect.
     *
     * @return whether it rolled back, so that the leader, now under the old half, has an active quorum
     */
    private boolean rolledBackStranded(QuorumSystem.VoterTest active) {
        long index = log.configurationIndex();
        if (!(member.configuration() instanceof JointConfiguration joint)
                || index <= member.commitIndex()
                || log.termAt(index) != member.term()
                || joint.next().isQuorumOf(active)
                || !joint.old().isQuorumOf(active)) {
            return false;
        }
        member.reconfiguration().rollBack(joint);
        return true;
    }

    /**
     * Dynamic linear voting (PROTOCOL.md §7): suspend silent voters, re-admit returning ones, and record the new
     * incarnation of voters whose disks were wiped.
     */
    private void watchMembership() {
        if (!(member.configuration() instanceof Configuration current)) {
            return; // a joint configuration: a change is in flight
        }
        for (Voter configured : current.nominal()) {
            Progress progress = followers.get(configured.id());
            boolean returning =
                    DynamicVotingMonitor.returning(current, configured, member.incarnationOf(configured.id()));
            if (returning && progress != null && progress.steadySinceTick >= 0) {
                progress.trackCatchUp(now, log.lastIndex(), options.electionTimeoutMinTicks());
            }
        }
        if (!member.reconfiguration().idle()) {
            return;
        }
        DynamicVotingMonitor.proposal(
                        current,
                        member.self(),
                        followers,
                        member::incarnationOf,
                        now,
                        options.dynamicVoting(),
                        options.electionTimeoutMinTicks())
                .filter(target -> target.isQuorumOf(member.counted(this::heardWithinElectionTimeout)))
                .ifPresent(target -> member.reconfiguration().propose(target));
    }

    /**
     * Whether {@code id} is this leader or answered within an election timeout. Dynamic voting proposes only a
     * configuration such members can commit: a voter that just fell silent is not yet suspect, and a J whose new half
     * leans on it could be stranded for good should that voter's disk turn out to be wiped.
     */
    private boolean heardWithinElectionTimeout(MemberId id) {
        if (id.equals(member.self())) {
            return true;
        }
        Progress progress = followers.get(id);
        return progress != null && now - progress.lastHeardTick <= options.electionTimeoutMinTicks();
    }

    private void heartbeat() {
        for (Progress progress : followers.values()) {
            if ((!progress.inflight.isEmpty() || progress.probeSent) && ++progress.heartbeatsWithoutProgress >= 2) {
                progress.probeFrom(progress.matchIndex + 1); // presume the requests lost: resend
            }
            progress.probeSent = false;
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
        if (progress.snapshot == null) { // from our snapshot on at least: before it we hold no terms to check
            sendAppend(to, Math.max(progress.matchIndex, log.snapshotIndex()) + 1, List.of());
            return;
        }
        if (progress.chunkSentTick < 0
                || now - progress.chunkSentTick >= options.snapshots().chunkTimeoutTicks()) {
            startSnapshot(progress); // none yet, or the chunk (or the snapshot it came from) is lost: resume
            sendChunk(to, progress);
        } else {
            SnapshotMeta meta = progress.snapshot; // an empty chunk: keeps the follower's timer, asks where it is
            member.send(
                    to,
                    new Message.InstallSnapshot(
                            member.self(),
                            member.term(),
                            meta.index(),
                            meta.term(),
                            meta.configuration(),
                            progress.snapshotOffset,
                            NO_BYTES,
                            false));
        }
    }

    /** Aims the transfer at the newest snapshot; a transfer of an older one starts over with it. */
    private void startSnapshot(Progress progress) {
        if (progress.snapshot == null || progress.snapshot.index() != log.snapshotIndex()) {
            progress.snapshot = member.snapshotMeta();
            progress.snapshotOffset = 0;
        }
    }

    private void sendChunk(MemberId to, Progress progress) {
        progress.chunkSentTick = now;
        member.outbox()
                .add(new Output.SendSnapshotChunk(
                        to,
                        member.term(),
                        progress.snapshot,
                        progress.snapshotOffset,
                        options.snapshots().chunkBytes()));
    }

    /** A follower's answer to a snapshot chunk (PROTOCOL.md §8). */
    void onInstallSnapshotResponse(Message.InstallSnapshotResponse response) {
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
            maybeCommit();
            if (member.role() == Role.LEADER) {
                replicate(response.from(), progress);
            }
            return;
        }
        if (progress.snapshot == null
                || response.index() != progress.snapshot.index()
                || response.nextOffset() == progress.snapshotOffset) {
            return; // stale, or no news: the chunk in flight (or its timeout) moves the transfer on
        }
        progress.snapshotOffset = response.nextOffset();
        progress.chunkSentTick = -1;
        replicate(response.from(), progress);
    }

    /** Sends what the window allows; returns whether anything was sent. */
    private boolean replicate(MemberId to, Progress progress) {
        if (progress.nextIndex <= log.snapshotIndex() || progress.snapshot != null) {
            // Behind our snapshot: the entries it needs are gone. One chunk at a time.
            if (progress.chunkSentTick >= 0) {
                return false;
            }
            startSnapshot(progress);
            sendChunk(to, progress);
            return true;
        }
        boolean sent = false;
        if (progress.probing) {
            if (!progress.probeSent) {
                List<Entry> entries = slice(progress.nextIndex);
                sendAppend(to, progress.nextIndex, entries);
                progress.probeSent = true;
                sent = true;
            }
            return sent;
        }
        while (progress.inflight.size() < options.maxInflightAppends() && progress.nextIndex <= log.lastIndex()) {
            List<Entry> entries = slice(progress.nextIndex);
            sendAppend(to, progress.nextIndex, entries);
            long last = entries.get(entries.size() - 1).index();
            progress.inflight.addLast(last);
            progress.nextIndex = last + 1;
            sent = true;
        }
        return sent;
    }

    private List<Entry> slice(long from) {
        return log.slice(from, options.maxEntriesPerAppend(), options.maxAppendBytes());
    }

    private void sendAppend(MemberId to, long firstIndex, List<Entry> entries) {
        long prevIndex = firstIndex - 1;
        member.send(
                to,
                new Message.AppendRequest(
                        member.self(),
                        member.term(),
                        prevIndex,
                        log.termAt(prevIndex),
                        entries,
                        member.commitIndex(),
                        readRound));
    }

    /**
     * {@code id} came back with a new incarnation: its disk, and everything it acknowledged, is gone. Start over as
     * with a new member, probing from the end of the log.
     */
    void reincarnated(MemberId id) {
        if (followers.containsKey(id)) {
            followers.put(id, new Progress(log.lastIndex() + 1, now));
        } else if (departing.containsKey(id)) {
            departing.put(id, new Progress(log.lastIndex() + 1, now));
        }
    }

    void onAppendResponse(Message.AppendResponse response) {
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
        progress.readRoundAcked = Math.max(progress.readRoundAcked, response.readRound());
        if (response.success()) {
            GroupProtocol.check(
                    response.matchIndex() <= log.lastIndex(),
                    "follower acknowledged " + response.matchIndex() + " beyond leader's last " + log.lastIndex());
            progress.acknowledged(response.matchIndex());
            maybeCommit();
            if (member.role() != Role.LEADER) {
                return; // the commit handed leadership over (PROTOCOL.md §3 rule 4)
            }
            if (transferTarget.equals(Optional.of(response.from())) && progress.matchIndex == log.lastIndex()) {
                member.send(response.from(), new Message.TimeoutNow(member.self(), member.term()));
            }
        } else if (storageFaulted) {
            // Nothing it acknowledged counts any more. Repaired from entry 1: by the latest snapshot when the log is
            // compacted, else by the whole log, which needs nothing committed first (PROTOCOL.md §5).
            progress.forgetAcknowledged();
        } else {
            progress.probeFrom(nextIndexAfterRejection(response));
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

    /**
     * Advances the commit index to the highest entry held durably by a quorum of every configuration in force and
     * by at least {@code minCopies} members. Only entries of the current term commit by counting (Raft Figure 8);
     * earlier ones commit with them.
     */
    void maybeCommit() {
        long ownDurable = member.durability().durableIndex();
        // The holder set only changes at someone's match index, so the highest committable index is one of them:
        // try those (at most one per member, highest first) instead of every uncommitted entry.
        long[] candidates = new long[followers.size() + 1];
        int count = 0;
        candidates[count++] = Math.min(ownDurable, log.lastIndex());
        for (Progress progress : followers.values()) {
            candidates[count++] = progress.matchIndex;
        }
        Arrays.sort(candidates, 0, count);
        for (int i = count - 1; i >= 0; i--) {
            long index = candidates[i];
            if (index <= member.commitIndex()) {
                return;
            }
            if (i < count - 1 && candidates[i + 1] == index) {
                continue; // tried already
            }
            if (log.termAt(index) != member.term() && !options.has(Mutation.COMMIT_OLD_TERM_BY_COUNTING)) {
                return; // terms only decrease going back: no current-term entry below
            }
            if (heldByEnough(index, ownDurable)) {
                boolean committedInTermBefore = committedInTerm();
                member.advanceCommit(index);
                if (member.role() == Role.LEADER && !committedInTermBefore && committedInTerm()) {
                    startWaitingReads(); // only now is the commit index a safe read index (§9)
                }
                return;
            }
        }
    }

    /** Whether a quorum of every configuration in force, and at least {@code minCopies} members, hold {@code index}. */
    private boolean heldByEnough(long index, long ownDurable) {
        int holders = ownDurable >= index ? 1 : 0;
        for (Progress progress : followers.values()) {
            if (progress.matchIndex >= index) {
                holders++;
            }
        }
        if (holders < options.minCopies()) {
            return false;
        }
        holdsIndex.index = index;
        holdsIndex.ownDurable = ownDurable;
        return member.configuration().isQuorumOf(holdsIndex);
    }

    /**
     * Whether a voter, as the incarnation recorded for it, holds the index under test: one reusable test, so the
     * commit check on every ack allocates nothing.
     */
    private final class HoldsIndex implements QuorumSystem.VoterTest {
        long index;
        long ownDurable;

        @Override
        public boolean test(MemberId id, long incarnation) {
            if (!member.countsAs(id, incarnation)) {
                return false; // another life of that member: what it holds is not what the configuration counts on
            }
            if (id.equals(member.self())) {
                return ownDurable >= index;
            }
            Progress progress = followers.get(id);
            return progress != null && progress.matchIndex >= index;
        }
    }

    /** Whether an entry of this term is committed: only then is the commit index a safe read index (§9). */
    private boolean committedInTerm() {
        return member.ownTermCommitted() || options.has(Mutation.SKIP_NOOP);
    }

    void registerRead(MemberId requester, long readId) {
        if (!committedInTerm()) {
            reads.add(new ReadBarrier(requester, readId, -1, -1)); // started once the no-op commits
            return;
        }
        reads.add(new ReadBarrier(requester, readId, member.commitIndex(), ++readRound));
        if (followers.isEmpty()) {
            confirmReads();
        } else {
            sendRound();
        }
    }

    private void startWaitingReads() {
        boolean started = false;
        for (int i = 0; i < reads.size(); i++) {
            ReadBarrier read = reads.get(i);
            if (read.round() < 0) {
                reads.set(i, new ReadBarrier(read.requester(), read.readId(), member.commitIndex(), ++readRound));
                started = true;
            }
        }
        if (started) {
            if (followers.isEmpty()) {
                confirmReads();
            } else {
                sendRound();
            }
        }
    }

    /** Answers every read whose round a quorum has echoed: this member was still leader when it was issued. */
    private void confirmReads() {
        Iterator<ReadBarrier> it = reads.iterator();
        while (it.hasNext()) {
            ReadBarrier read = it.next();
            if (read.round() < 0 || !roundConfirmed(read.round())) {
                continue;
            }
            it.remove();
            if (read.requester().equals(member.self())) {
                member.localReadIndexConfirmed(read.readId(), read.readIndex());
            } else {
                member.send(
                        read.requester(),
                        new Message.ReadIndexResponse(member.self(), member.term(), read.readId(), read.readIndex()));
            }
        }
    }

    private boolean roundConfirmed(long round) {
        TreeSet<MemberId> confirmed = new TreeSet<>();
        confirmed.add(member.self());
        for (var follower : followers.entrySet()) {
            if (follower.getValue().readRoundAcked >= round) {
                confirmed.add(follower.getKey());
            }
        }
        return member.configuration().isQuorumOf(member.counted(confirmed::contains));
    }

    void startTransfer(MemberId target) {
        transferTarget = Optional.of(target);
        transferElapsed = 0;
        Progress progress = followers.get(target);
        if (progress != null && progress.matchIndex == log.lastIndex()) {
            member.send(target, new Message.TimeoutNow(member.self(), member.term()));
        } else if (progress != null) {
            replicate(target, progress);
        }
    }
}
