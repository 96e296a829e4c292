package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.StateMachine;
import dev.echo.core.protocol.ProtocolCounters.Counter;
import dev.echo.core.storage.SnapshotMeta;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * One member of one process group: the pure, deterministic protocol core (ARCHITECTURE.md, The core). Feed it
 * inputs with {@link #step}, then carry out the outputs from {@link #drainOutputs}. It reads no clock, starts no
 * thread and does no I/O; the same inputs always give the same outputs.
 *
 * <p>Implements PROTOCOL.md §4 (replication, 1.5 rounds, pipelining), §5 (durability ordering: acks and votes are
 * released only once the journal reported them durable), §6 (pre-vote, leader lease, check-quorum, no-op,
 * exactly-once sessions, leadership transfer), §9 (status, ReadIndex reads) and §3 (configuration changes through
 * joint consensus; the configuration in force is always the latest one in the log).
 *
 * <p>Threading: not thread-safe. One thread (a group loop, or the simulator) calls every method. The
 * {@link StateMachine} is called from inside {@link #step} on that thread.
 */
public final class GroupProtocol {
    private final MemberState state;
    private final Outbox outbox;
    private final Reconfiguration reconfiguration = new Reconfiguration(this);
    private final Snapshots snapshots;

    private final StateMachine stateMachine;
    private final ClientSessions sessions;
    private final PendingOperations pending;

    private Leader leader;
    private final TreeSet<MemberId> votes = new TreeSet<>();

    private MemberStatus reportedStatus;
    private long reportedTerm = -1;
    private Optional<MemberId> reportedLeader = Optional.empty();
    /** The leader membership requests were last sent to (the leader as of the previous step). */
    private Optional<MemberId> forwardedTo = Optional.empty();

    /** Creates a member in its first incarnation (0); see the full constructor. */
    public GroupProtocol(
            MemberId self,
            QuorumSystem configuration,
            ProtocolOptions options,
            RecoveredState recovered,
            StateMachine stateMachine,
            long seed) {
        this(self, 0, configuration, options, recovered, stateMachine, seed);
    }

    /**
     * Creates a member from its recovered durable
     *
     * @param self this member
     * @param incarnation this member's incarnation, from its durable identity: a member whose disk was wiped comes
     *     back with a higher one, and counts as a voter only once a configuration records it (PROTOCOL.md §5)
     * @param configuration the group's initial (bootstrap) configuration, in force until the log holds a configuration
     *     entry; a member outside it waits as {@link MemberStatus#NOT_MEMBER} until a change adds it
     * @param options validated tunables
     * @param recovered what the journal holds for this member (term, vote, snapshot, log)
     * @param stateMachine the application's state: restored from {@code recovered}'s snapshot if it has one, else
     *     empty; the committed log after it is applied again
     * @param seed seeds election timeouts; give each member its own
     */
    public GroupProtocol(
            MemberId self,
            long incarnation,
            QuorumSystem configuration,
            ProtocolOptions options,
            RecoveredState recovered,
            StateMachine stateMachine,
            long seed) {
        Objects.requireNonNull(self, "self");
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
        }
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(options, "options");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.sessions = new ClientSessions(options.maxSessions(), options.sessionTtlEntries());
        this.pending = new PendingOperations(options.maxPendingRequests(), options.retryTicks());
        ReplicationLog log;
        if (recovered.snapshot().isPresent()) {
            SnapshotMeta meta = recovered.snapshot().get().meta();
            log = new ReplicationLog(meta.configuration(), meta.index(), meta.term(), recovered.entries());
        } else {
            log = new ReplicationLog(configuration, recovered.entries());
        }
        this.state = new MemberState(self, incarnation, configuration, options, log, recovered.hardState(), seed);
        this.outbox = new Outbox(state);
        this.snapshots = new Snapshots(this, options.snapshots());
        state.storageFaulted = recovered.storageFaulted();
        if (recovered.snapshot().isPresent()) {
            SnapshotMeta meta = recovered.snapshot().get().meta();
            sessions.restore(recovered.snapshot().get().sessions());
            state.commitIndex = meta.index();
            state.lastApplied = meta.index();
            if (meta.term() > state.term) { // installed from a leader whose term had not reached the journal yet
                state.term = meta.term();
                state.votedFor = Optional.empty();
                outbox.hardStateChanged();
            }
        }
        state.resetElectionTimer();
        finishStep();
    }

    /** Processes one input. Never throws for bad input: it is ignored and counted in {@link #counters()}. */
    public void step(Input input) {
        if (input instanceof Input.Tick) {
            tick();
        } else if (input instanceof Input.Receive receive) {
            receive(receive.message(), receive.incarnation(), receive.authenticated());
        } else if (input instanceof Input.Persisted persisted) {
            persisted(persisted.ticket());
        } else if (input instanceof Input.Submit submit) {
            submit(submit);
        } else if (input instanceof Input.OpenSession open) {
            submitPayload(new Entry.OpenSession(open.clientId()));
        } else if (input instanceof Input.Read read) {
            read(read);
        } else if (input instanceof Input.TransferLeadership transfer) {
            transferLeadership(transfer.target());
        } else if (input instanceof Input.ChangeConfiguration change) {
            reconfiguration.request(change.requestId(), change.target());
        } else if (input instanceof Input.ChangeMembership change) {
            reconfiguration.requestChange(change.requestId(), change.change());
        } else if (input instanceof Input.SnapshotTaken taken) {
            snapshots.taken(taken.meta());
        } else if (input instanceof Input.SnapshotFailed failed) {
            snapshots.failed(failed.index());
        } else if (input instanceof Input.SnapshotChunkStored stored) {
            snapshots.chunkStored(stored.index(), stored.nextOffset());
        } else if (input instanceof Input.SnapshotInstalled installed) {
            snapshots.installed(installed.meta(), installed.sessions());
        }
        finishStep();
    }

    /** Returns and clears the outputs produced since the last call. */
    public List<Output> drainOutputs() {
        return outbox.drain();
    }

    // ---------------------------------------------------------------- ticks and elections

    private void tick() {
        if (state.role == Role.LEADER) {
            state.ticksSinceLeaderContact = 0;
            leader.tick();
        } else {
            state.ticksSinceLeaderContact = Math.min(state.ticksSinceLeaderContact + 1, Long.MAX_VALUE / 2);
            if (++state.electionElapsed >= state.electionTimeout && mayCampaign()) {
                startPreVote();
            }
        }
        for (PendingOperations.PendingRequest request : pending.requestsDueForRetry()) {
            dispatch(request);
        }
        for (PendingOperations.PendingRead read : pending.readsDueForRetry()) {
            requestReadIndex(read);
        }
    }

    /**
     * A voter of its latest configuration campaigns; so does a voter of the previous one while the latest is not known
     * committed: a member removed by an uncommitted entry may still be needed to finish the change (found by the
     * simulator: a leader that crashed right after appending C_new, whose remaining voter lacked C_new and needed its
     * vote). Who wins is still decided by votes under the candidate's latest configuration, so this is safe.
     */
    private boolean mayCampaign() {
        if (state.storageFaulted || snapshots.installing()) {
            return false; // its log cannot be trusted, or is about to be replaced
        }
        if (state.configuration().isVoterAs(state.self, state.selfIncarnation)
                || (state.options.has(Mutation.IGNORE_INCARNATIONS)
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
        leader = null;
        votes.clear();
        votes.add(state.self);
        state.resetElectionTimer();
        broadcastToVoters(
                new Message.PreVoteRequest(state.self, state.term + 1, state.log.lastIndex(), state.log.lastTerm()));
        if (state.configuration().isQuorumOf(counted(votes::contains))) {
            startElection(false);
        }
    }

    private void startElection(boolean leadershipTransfer) {
        check(
                Domains.contains(state.term + 1),
                "§10: terms stay below 2^62, so state.term + 1 never overflows: " + state.term);
        state.role = Role.CANDIDATE;
        state.term++;
        state.votedFor = Optional.of(state.self);
        outbox.hardStateChanged();
        state.leaderId = Optional.empty();
        leader = null;
        votes.clear();
        votes.add(state.self);
        state.resetElectionTimer();
        broadcastToVoters(new Message.VoteRequest(
                state.self, state.term, state.log.lastIndex(), state.log.lastTerm(), leadershipTransfer));
        // Our own vote counts only once durable: checked again when the persist completes.
        maybeWinElection();
    }

    private void maybeWinElection() {
        if (state.role != Role.CANDIDATE || outbox.hardStateChanging() || !state.durability.hardStateDurable()) {
            return;
        }
        boolean won = state.configuration().isQuorumOf(counted(votes::contains))
                || (state.options.has(Mutation.COUNT_ANY_VOTES)
                        && votes.size() * 2 > state.members().size());
        if (won) {
            becomeLeader();
        }
    }

    private void becomeLeader() {
        state.role = Role.LEADER;
        state.leaderId = Optional.of(state.self);
        state.ticksSinceLeaderContact = 0;
        leader = new Leader(this);
        if (!state.options.has(Mutation.SKIP_NOOP)) {
            appendAsLeader(new Entry.NoOp());
        }
        leader.replicateToAll();
        // Copies: a lone leader may answer a read (or commit) at once, which removes it from the pending set.
        for (PendingOperations.PendingRequest request : List.copyOf(pending.requests())) {
            dispatch(request);
        }
        for (PendingOperations.PendingRead read : List.copyOf(pending.reads())) {
            if (pending.hasRead(read.readId)) {
                requestReadIndex(read);
            }
        }
    }

    private void becomeFollower(long newTerm, Optional<MemberId> newLeader) {
        if (state.role == Role.LEADER) {
            reconfiguration.leadershipLost();
        }
        boolean termChanged = newTerm > state.term;
        check(Domains.contains(newTerm), "§10: a state.term outside its domain reached the core: " + newTerm);
        if (termChanged) {
            state.term = newTerm;
            state.votedFor = Optional.empty();
            outbox.hardStateChanged();
        }
        // What this member verified against a leader holds only for that leader *in that term*: the same member
        // leading a later term may have a different log (found by the simulator with membership changes).
        boolean leaderChanged = termChanged || !newLeader.equals(state.leaderId);
        state.role = Role.FOLLOWER;
        leader = null;
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

    /** A leader that lost contact with a quorum steps down (check-quorum, PROTOCOL.md §6). */
    void stepDown() {
        becomeFollower(state.term, Optional.empty());
    }

    // ---------------------------------------------------------------- messages

    private void receive(Message message, long incarnation, boolean authenticated) {
        // Out-of-domain input never reaches state, not even the table of incarnations (PROTOCOL.md §10).
        if (!Domains.contains(incarnation) || !MessageChecks.wellFormed(message, state.options)) {
            state.counters.increment(Counter.MALFORMED_MESSAGE);
            return;
        }
        if (!heardFrom(message, authenticated)) {
            state.counters.increment(Counter.UNKNOWN_SENDER);
            return;
        }
        // Learnt from anyone heard, members or not: a leader adding a member records the incarnation it last heard.
        if (!currentIncarnation(message.from(), incarnation)) {
            state.counters.increment(Counter.STALE_INCARNATION);
            return;
        }
        if (message instanceof Message.PreVoteRequest request) {
            onPreVoteRequest(request);
            return;
        }
        // Client-level requests between members: they never change this member's term.
        if (message instanceof Message.MembershipRequest request) {
            reconfiguration.onRequest(request);
            return;
        }
        if (message instanceof Message.MembershipResponse response) {
            reconfiguration.onResponse(response);
            return;
        }
        if (message instanceof Message.PreVoteResponse response) {
            onPreVoteResponse(response);
            return;
        }
        if (message instanceof Message.VoteRequest request
                && request.term() > state.term
                && !request.leadershipTransfer()
                && state.inLeaderLease()) {
            state.counters.increment(Counter.VOTE_IN_LEASE); // §6: ignore, do not even adopt the term
            return;
        }
        if (message.term() > state.term) {
            Optional<MemberId> newLeader =
                    message instanceof Message.AppendRequest || message instanceof Message.InstallSnapshot
                            ? Optional.of(message.from())
                            : Optional.<MemberId>empty();
            becomeFollower(message.term(), newLeader);
        }
        if (message instanceof Message.VoteRequest request) {
            onVoteRequest(request);
        } else if (message instanceof Message.VoteResponse response) {
            onVoteResponse(response);
        } else if (message instanceof Message.AppendRequest request) {
            onAppendRequest(request);
        } else if (message instanceof Message.AppendResponse response) {
            if (state.role == Role.LEADER && response.term() == state.term) {
                leader.onAppendResponse(response);
            } else {
                state.counters.increment(Counter.STALE_TERM);
            }
        } else if (message instanceof Message.TimeoutNow timeoutNow) {
            if (timeoutNow.term() == state.term
                    && state.role == Role.FOLLOWER
                    && state.leaderId.equals(Optional.of(timeoutNow.from()))) {
                startElection(true);
            } else {
                state.counters.increment(Counter.STALE_TERM);
            }
        } else if (message instanceof Message.ForwardRequest forward) {
            onForwardRequest(forward);
        } else if (message instanceof Message.ReadIndexRequest request) {
            if (state.role == Role.LEADER) {
                leader.registerRead(request.from(), request.readId());
            } else {
                state.counters.increment(Counter.NOT_LEADER);
            }
        } else if (message instanceof Message.ReadIndexResponse response) {
            onReadIndexResponse(response);
        } else if (message instanceof Message.InstallSnapshot chunk) {
            onInstallSnapshot(chunk);
        } else if (message instanceof Message.InstallSnapshotResponse response) {
            if (state.role == Role.LEADER && response.term() == state.term) {
                leader.onInstallSnapshotResponse(response);
            } else {
                state.counters.increment(Counter.STALE_TERM);
            }
        }
    }

    /**
     * Whose messages this member listens to. Appends and hand-overs: any sender's, because a leader added after this
     * member's latest configuration entry is not yet in it, and this member learns of it only from that leader's log.
     * Everything else (votes above all, which a removed member could use to disrupt the group): members of the
     * configuration only, unless this member is outside its own configuration; then that configuration is stale (a
     * wiped or not yet caught-up member) and cannot judge who belongs, and its vote may be the one a legitimate
     * candidate needs. For the same reason a (pre-)vote request from a stranger whose log is strictly ahead of ours is
     * answered: the candidate knows a later configuration, one that may have added this member and need its vote
     * (simulator seeds 73, 638, 791, 1018: a member added by a J it never received). Whom a voter votes for never
     * affects safety (one vote per term, up-to-date check); the lease still shields a live leader from disruption.
     */
    private boolean heardFrom(Message message, boolean authenticated) {
        if (message.from().equals(state.self)) {
            return false;
        }
        if (!state.options.has(Mutation.TRUST_STRANGERS)) {
            if (!knows(message.from())) {
                return strangerMayBeHeard(message, authenticated);
            }
            // A member that is a voter in no configuration this member knows (a learner) cannot lead or be elected
            // in any term this member could know of: it raises no term except as a stranger would (a learner
            // promoted by an entry this member lacks). Else one message with a huge term from a learner would do
            // what the intruder's did (HostilePeerIT).
            if (message.term() > state.term && !isClientRequest(message) && !knowsAsVoter(message.from())) {
                return strangerMayBeHeard(message, authenticated);
            }
        }
        return message instanceof Message.AppendRequest
                || message instanceof Message.InstallSnapshot
                || message instanceof Message.TimeoutNow
                || message instanceof Message.MembershipRequest
                || message instanceof Message.MembershipResponse
                || state.members().contains(message.from())
                || !state.members().contains(state.self)
                || candidateKnowsMore(message);
    }

    /**
     * What a stranger, a peer in no configuration this member knows, may say (PROTOCOL.md §10). An unauthenticated one
     * (an intruder on a transport set up without authentication): nothing at all; one forged {@code TimeoutNow} with a
     * huge term once left a group without a leader for good. An authenticated one is a machine of this cluster that
     * this member has not heard of yet, and may say only what the protocol needs from it:
     * <ul>
     *   <li>ask to join as a learner;
     *   <li>lead this member in, by appends and snapshot chunks: when this member is outside its own latest
     *       configuration (waiting to join, wiped or removed), or when it is a member whose log lacks the entry that
     *       added this leader, and then only in a term a known member told it (a refused pre-vote does);
     *   <li>ask for its vote when the candidate's log is strictly ahead: that log may hold the configuration that
     *       added this member and needs its vote (simulator seeds 73, 638, 791, 938: a member added by an entry it
     *       never received was the vote the group needed).
     * </ul>
     * Hand-overs and everything else from a stranger are refused.
     */
    private boolean strangerMayBeHeard(Message message, boolean authenticated) {
        if (!authenticated) {
            return false;
        }
        if (message instanceof Message.MembershipRequest request) {
            return request.change() instanceof MembershipChange.AddLearner add
                    && add.member().equals(request.from());
        }
        if (message instanceof Message.AppendRequest
                || message instanceof Message.InstallSnapshot
                || message instanceof Message.MembershipResponse) {
            return !state.members().contains(state.self) || message.term() <= state.term;
        }
        return candidateKnowsMore(message);
    }

    /** Membership requests and answers travel between members of any rank and never change a term. */
    private static boolean isClientRequest(Message message) {
        return message instanceof Message.MembershipRequest || message instanceof Message.MembershipResponse;
    }

    /** Whether {@code id} is a voter of a configuration this member knows (as {@link #knows}). */
    private boolean knowsAsVoter(MemberId id) {
        return state.configuration().isVoter(id) || someKnownConfiguration(known -> known.isVoter(id));
    }

    /**
     * Whether {@code id} is in a configuration this member knows: the one it was started with, its snapshot's, or any
     * in its log, committed or not (PROTOCOL.md §10). The latest configuration answers almost every message; the walk
     * over older ones is only for senders outside it.
     */
    private boolean knows(MemberId id) {
        return state.members().contains(id)
                || someKnownConfiguration(known -> known.members().contains(id));
    }

    private boolean someKnownConfiguration(Predicate<QuorumSystem> test) {
        if (test.test(state.startConfiguration) || test.test(state.log.bootstrapConfiguration())) {
            return true;
        }
        for (QuorumSystem configuration : state.log.configurationEntries().values()) {
            if (test.test(configuration)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code incarnation} is the latest heard from {@code from}; a later one is recorded, and what the earlier
     * life said (votes, acknowledged entries) is forgotten, since its disk is gone.
     */
    private boolean currentIncarnation(MemberId from, long incarnation) {
        Long known = state.incarnations.get(from);
        if (known != null && incarnation < known) {
            return false;
        }
        if (known == null || incarnation > known) {
            state.incarnations.put(from, incarnation);
            if (known != null) {
                votes.remove(from);
                if (leader != null) {
                    leader.reincarnated(from);
                }
            }
        }
        return true;
    }

    /** The incarnation last heard from {@code id} (this member's own for itself), or -1 if none yet. */
    public long incarnationOf(MemberId id) {
        return state.incarnationOf(id);
    }

    QuorumSystem.VoterTest counted(Predicate<MemberId> set) {
        return state.counted(set);
    }

    boolean countsAs(MemberId id, long recorded) {
        return state.countsAs(id, recorded);
    }

    private boolean candidateKnowsMore(Message message) {
        if (message instanceof Message.PreVoteRequest request) {
            return state.logStrictlyAhead(request.lastLogIndex(), request.lastLogTerm());
        }
        if (message instanceof Message.VoteRequest request) {
            return state.logStrictlyAhead(request.lastLogIndex(), request.lastLogTerm());
        }
        return false;
    }

    private void onPreVoteRequest(Message.PreVoteRequest request) {
        boolean granted = request.term() > state.term
                && !state.storageFaulted
                && !state.inLeaderLease()
                && state.candidateLogUpToDate(request.lastLogIndex(), request.lastLogTerm());
        if (!granted && request.term() > state.term && state.inLeaderLease()) {
            state.counters.increment(Counter.VOTE_IN_LEASE);
        }
        send(request.from(), new Message.PreVoteResponse(state.self, granted ? request.term() : state.term, granted));
    }

    private void onPreVoteResponse(Message.PreVoteResponse response) {
        if (state.role == Role.PRE_CANDIDATE && response.granted() && response.term() == state.term + 1) {
            votes.add(response.from());
            if (state.configuration().isQuorumOf(counted(votes::contains))) {
                startElection(false);
            }
        } else if (!response.granted() && response.term() > state.term) {
            becomeFollower(response.term(), Optional.empty());
        }
    }

    private void onVoteRequest(Message.VoteRequest request) {
        if (request.term() < state.term) {
            send(request.from(), new Message.VoteResponse(state.self, state.term, false));
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
        // Held by send() until the vote is durable (PROTOCOL.md §5).
        send(request.from(), new Message.VoteResponse(state.self, state.term, granted));
    }

    private void onVoteResponse(Message.VoteResponse response) {
        if (state.role == Role.CANDIDATE && response.term() == state.term && response.granted()) {
            votes.add(response.from());
            maybeWinElection();
        }
    }

    private void onAppendRequest(Message.AppendRequest request) {
        if (request.term() < state.term) {
            state.counters.increment(Counter.STALE_TERM);
            send(request.from(), new Message.AppendResponse(state.self, state.term, false, 0, 0, 0, 0));
            return;
        }
        heardFromLeader(request.from());
        if (snapshots.installing()) {
            state.counters.increment(Counter.BUSY_INSTALLING); // the leader resends once the snapshot is in
            return;
        }
        state.readRoundSeen = Math.max(state.readRoundSeen, request.readRound());
        // Whether this step wrote to the journal: the answer then waits until that is durable.
        boolean wrote = false;
        if (state.storageFaulted) {
            if (request.prevIndex() > 0) {
                send(request.from(), rejection(0, 0)); // AppendResponse.asksForRepair: repair me from scratch
                return;
            }
            restartLogFromScratch(); // the leader sends its whole log: nothing of ours is needed
            wrote = true;
        }
        if (request.prevIndex() > state.log.lastIndex()) {
            send(request.from(), rejection(state.log.lastIndex() + 1, 0));
            return;
        }
        // Entries up to our snapshot are committed, so every leader holds them as we did: check from the snapshot on.
        long prevIndex = Math.max(request.prevIndex(), state.log.snapshotIndex());
        long prevTerm = prevIndex == request.prevIndex() ? request.prevTerm() : state.log.snapshotTerm();
        if (!state.log.matches(prevIndex, prevTerm)) {
            long conflictTerm = state.log.termAt(prevIndex);
            check(prevIndex > state.commitIndex, "§11.6: conflict at committed index " + prevIndex);
            send(request.from(), rejection(state.log.firstIndexOfTerm(conflictTerm, prevIndex), conflictTerm));
            return;
        }
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
        long lastNew = Math.max(request.prevIndex() + request.entries().size(), prevIndex);
        if (state.options.has(Mutation.TRUNCATE_ON_SHORTER_APPEND)
                && state.log.lastIndex() > lastNew
                && lastNew >= state.commitIndex) {
            outbox.truncateLogFrom(lastNew + 1);
        }
        state.verifiedIndex = Math.min(Math.max(state.verifiedIndex, lastNew), state.log.lastIndex());
        long newCommit = Math.min(request.commitIndex(), state.verifiedIndex);
        if (newCommit > state.commitIndex) {
            advanceCommit(newCommit);
        }
        if (wrote && !state.options.has(Mutation.ACK_BEFORE_FSYNC)) {
            state.ackPending = true; // sent from persisted() once the entries are durable
        } else {
            sendAck();
        }
    }

    /** A message only a leader of the current term sends arrived: follow it and restart the election timer. */
    private void heardFromLeader(MemberId from) {
        if (state.role == Role.LEADER) {
            throw new IllegalStateException("invariant §11.1: two leaders in state.term " + state.term);
        }
        if (state.role != Role.FOLLOWER || state.leaderId.isEmpty()) {
            becomeFollower(state.term, Optional.of(from));
        }
        state.leaderId = Optional.of(from);
        state.electionElapsed = 0;
        state.ticksSinceLeaderContact = 0;
    }

    private void onInstallSnapshot(Message.InstallSnapshot chunk) {
        if (chunk.term() < state.term) {
            state.counters.increment(Counter.STALE_TERM);
            send(chunk.from(), new Message.InstallSnapshotResponse(state.self, state.term, chunk.index(), 0, false));
            return;
        }
        heardFromLeader(chunk.from());
        snapshots.onChunk(chunk);
    }

    private Message.AppendResponse rejection(long conflictIndex, long conflictTerm) {
        return new Message.AppendResponse(
                state.self, state.term, false, 0, conflictIndex, conflictTerm, state.readRoundSeen);
    }

    private void sendAck() {
        long match = state.options.has(Mutation.ACK_BEFORE_FSYNC)
                ? state.verifiedIndex
                : Math.min(state.verifiedIndex, state.durability.durableIndex());
        state.lastAckedMatch = Math.max(state.lastAckedMatch, match);
        state.ackPending = state.verifiedIndex > match;
        state.leaderId.ifPresent(to ->
                send(to, new Message.AppendResponse(state.self, state.term, true, match, 0, 0, state.readRoundSeen)));
    }

    private void onForwardRequest(Message.ForwardRequest forward) {
        if (state.role != Role.LEADER || leader.transferring()) {
            state.counters.increment(Counter.NOT_LEADER); // the forwarding member retries
            return;
        }
        appendAsLeader(forward.payload());
        leader.replicateToAll();
    }

    private void onReadIndexResponse(Message.ReadIndexResponse response) {
        PendingOperations.PendingRead read = pending.read(response.readId());
        if (read != null && response.term() == state.term && state.leaderId.equals(Optional.of(response.from()))) {
            read.readIndex = Math.max(read.readIndex, response.readIndex());
            completeReadyReads();
        }
    }

    // ---------------------------------------------------------------- durability

    private void persisted(long ticket) {
        List<Output.Send> released = state.durability.persisted(ticket);
        if (released == null) {
            state.counters.increment(Counter.BAD_PERSIST_TICKET);
            return;
        }
        released.forEach(outbox::add);
        if (state.role == Role.CANDIDATE) {
            maybeWinElection();
        } else if (state.role == Role.LEADER) {
            leader.maybeCommit();
        } else if (state.ackPending && state.leaderId.isPresent()) {
            if (Math.min(state.verifiedIndex, state.durability.durableIndex()) > state.lastAckedMatch) {
                sendAck();
            }
        }
    }

    private void finishStep() {
        if (!state.leaderId.equals(forwardedTo)) {
            if (forwardedTo.isPresent()) {
                reconfiguration.leaderChanged(); // requests sent to the old leader: outcome unknown
            }
            forwardedTo = state.leaderId;
        }
        if (leader != null) {
            leader.syncFollowers(); // the configuration may have changed with the log
        }
        snapshots.maybeTake();
        outbox.persistStep();
        reportStatus();
    }

    /** Sends now, or holds the message until the term/vote it depends on is durable (PROTOCOL.md §5). */
    void send(MemberId to, Message message) {
        outbox.send(to, message);
    }

    /** Sends {@code message} to every other voter of the configuration in force. */
    void broadcastToVoters(Message message) {
        outbox.broadcastToVoters(message);
    }

    // ---------------------------------------------------------------- client requests

    private void submit(Input.Submit submit) {
        if (submit.sequence() < 1 || submit.ackedSequence() < 0 || submit.ackedSequence() >= submit.sequence()) {
            refuse(submit.clientId(), submit.sequence(), RejectReason.INVALID);
        } else if (submit.command().length > state.options.maxCommandBytes()) {
            refuse(submit.clientId(), submit.sequence(), RejectReason.TOO_LARGE);
        } else {
            submitPayload(new Entry.Command(
                    submit.clientId(),
                    submit.sequence(),
                    submit.ackedSequence(),
                    submit.command().clone()));
        }
    }

    private void submitPayload(Entry.Payload payload) {
        PendingOperations.RequestKey key = PendingOperations.RequestKey.of(payload);
        if (pending.request(key) != null) {
            return; // already waiting here; it completes once for everyone
        }
        if (pending.isFull()) {
            refuse(key.clientId(), key.sequence(), RejectReason.OVERLOADED);
            return;
        }
        Optional<RejectReason> unserved = unservedBecause();
        if (unserved.isPresent()) {
            refuse(key.clientId(), key.sequence(), unserved.get());
            return;
        }
        dispatch(pending.addRequest(payload));
    }

    /**
     * Why this member cannot take a write or linearizable read now: it hears no leader, or is not a member. A member
     * whose storage is faulted still forwards to the leader it hears, and its reads wait until the repair is applied.
     */
    private Optional<RejectReason> unservedBecause() {
        MemberStatus status = status();
        if (status == MemberStatus.NO_QUORUM || status == MemberStatus.STORAGE_FAULTED && state.leaderId.isEmpty()) {
            return Optional.of(RejectReason.NO_QUORUM);
        }
        return status == MemberStatus.NOT_MEMBER ? Optional.of(RejectReason.NOT_MEMBER) : Optional.empty();
    }

    private void refuse(long clientId, long sequence, RejectReason reason) {
        state.counters.increment(Counter.REQUEST_REFUSED);
        Output.Rejected rejected = new Output.Rejected(reason);
        outbox.add(
                sequence == 0
                        ? new Output.SessionOpened(clientId, rejected)
                        : new Output.Completed(clientId, sequence, rejected));
    }

    /** Appends the request (as leader, once), or forwards it to the leader; retried on a timer until applied. */
    private void dispatch(PendingOperations.PendingRequest request) {
        if (state.role == Role.LEADER) {
            if (leader.transferring()) {
                return;
            }
            boolean stillInLog = request.appendedIndex > 0
                    && state.log.matches(request.appendedIndex, request.appendedTerm)
                    && request.appendedTerm == state.term;
            if (!stillInLog) {
                Entry entry = appendAsLeader(request.payload);
                request.appendedIndex = entry.index();
                request.appendedTerm = entry.term();
                leader.replicateToAll();
            }
        } else if (state.leaderId.isPresent()) {
            send(state.leaderId.get(), new Message.ForwardRequest(state.self, state.term, request.payload));
        }
    }

    Entry appendAsLeader(Entry.Payload payload) {
        return outbox.appendAsLeader(payload);
    }

    // ---------------------------------------------------------------- reads

    private void read(Input.Read read) {
        Optional<RejectReason> unserved = unservedBecause();
        if (read.query().length > state.options.maxCommandBytes()) {
            outbox.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.TOO_LARGE)));
        } else if (snapshots.installing()) { // the state machine is being replaced
            outbox.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.NO_QUORUM)));
        } else if (read.stale()) {
            byte[] answer = stateMachine.query(read.query());
            outbox.add(new Output.ReadCompleted(read.readId(), new Output.Committed(state.lastApplied, answer, true)));
        } else if (pending.hasRead(read.readId())) {
            outbox.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.INVALID)));
        } else if (pending.isFull()) {
            outbox.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.OVERLOADED)));
        } else if (unserved.isPresent()) {
            outbox.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(unserved.get())));
        } else {
            requestReadIndex(pending.addRead(read.readId(), read.query()));
        }
    }

    private void requestReadIndex(PendingOperations.PendingRead read) {
        if (state.role == Role.LEADER) {
            leader.registerRead(state.self, read.readId);
        } else if (state.leaderId.isPresent()) {
            send(state.leaderId.get(), new Message.ReadIndexRequest(state.self, state.term, read.readId));
        }
    }

    /** The leader confirmed {@code readIndex} for a read of this member. */
    void localReadIndexConfirmed(long readId, long readIndex) {
        PendingOperations.PendingRead read = pending.read(readId);
        if (read != null) {
            read.readIndex = Math.max(read.readIndex, readIndex);
            completeReadyReads();
        }
    }

    private void completeReadyReads() {
        if (snapshots.installing()) {
            return; // completed once the snapshot is in
        }
        for (PendingOperations.PendingRead read : pending.takeReadyReads(state.lastApplied)) {
            byte[] answer = stateMachine.query(read.query);
            outbox.add(new Output.ReadCompleted(read.readId, new Output.Committed(state.lastApplied, answer, false)));
        }
    }

    // ---------------------------------------------------------------- leadership transfer

    private void transferLeadership(MemberId target) {
        if (state.role != Role.LEADER
                || target.equals(state.self)
                || !state.configuration().isVoter(target)) {
            state.counters.increment(Counter.TRANSFER_REFUSED);
            return;
        }
        leader.startTransfer(target);
    }

    // ---------------------------------------------------------------- commit and apply

    /** Raises the commit index (never lowers it: invariant §11.8) and applies what became committed. */
    void advanceCommit(long newCommit) {
        check(
                newCommit <= state.log.lastIndex(),
                "§11.8: commit " + newCommit + " beyond last index " + state.log.lastIndex());
        if (newCommit <= state.commitIndex) {
            return;
        }
        state.commitIndex = newCommit;
        while (state.lastApplied < state.commitIndex && !snapshots.installing()) {
            apply(state.log.entry(++state.lastApplied));
        }
        completeReadyReads();
        if (state.role == Role.LEADER) {
            reconfiguration.commitAdvanced();
        }
    }

    private void apply(Entry entry) {
        Entry.Payload payload = entry.payload();
        if (payload instanceof Entry.OpenSession open) {
            sessions.open(open.clientId(), entry.index());
            complete(
                    new PendingOperations.RequestKey(open.clientId(), 0),
                    new Output.Committed(entry.index(), new byte[0], false));
        } else if (payload instanceof Entry.Command command) {
            complete(
                    new PendingOperations.RequestKey(command.clientId(), command.sequence()),
                    applyCommand(entry.index(), command));
        } else if (payload instanceof Entry.ConfigurationChange change
                && change.configuration() instanceof Configuration view) {
            outbox.add(new Output.ViewChanged(entry.index(), view));
        }
        sessions.expire(entry.index());
    }

    private Output.Outcome applyCommand(long index, Entry.Command command) {
        ClientSessions.Decision decision = sessions.decide(command.clientId(), command.sequence());
        if (decision instanceof ClientSessions.Refuse refuse) {
            sessions.acknowledge(command.clientId(), command.ackedSequence(), index);
            return new Output.Rejected(refuse.reason());
        }
        if (decision instanceof ClientSessions.Duplicate duplicate) {
            sessions.acknowledge(command.clientId(), command.ackedSequence(), index);
            return new Output.Committed(duplicate.index(), duplicate.result(), false);
        }
        byte[] result = Objects.requireNonNull(stateMachine.apply(index, command.command()), "state machine result");
        sessions.recordApplied(command.clientId(), command.sequence(), command.ackedSequence(), index, result);
        return new Output.Committed(index, result, false);
    }

    private void complete(PendingOperations.RequestKey key, Output.Outcome outcome) {
        if (pending.completeRequest(key) != null) {
            outbox.add(
                    key.sequence() == 0
                            ? new Output.SessionOpened(key.clientId(), outcome)
                            : new Output.Completed(key.clientId(), key.sequence(), outcome));
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** The exactly-once table as bytes, stored with a snapshot. */
    byte[] sessionTable() {
        return sessions.toBytes();
    }

    SnapshotMeta snapshotMeta() {
        return state.snapshotMeta();
    }

    boolean holdsDurably(long index, long snapshotTerm) {
        return state.holdsDurably(index, snapshotTerm);
    }

    /** A durable local snapshot covers {@code meta}: drop the log up to it, here and in the journal. */
    void compactTo(SnapshotMeta meta) {
        if (meta.index() <= state.log.snapshotIndex() || meta.index() > state.lastApplied) {
            return; // a newer snapshot was installed meanwhile
        }
        state.log.compactTo(meta.index(), meta.term());
        compactJournal(meta);
    }

    void compactJournal(SnapshotMeta meta) {
        outbox.compactJournal(meta);
    }

    /**
     * The runtime installed a snapshot received from the leader (PROTOCOL.md §8): the state machine holds its state;
     * the log keeps a matching suffix or restarts after it. The follower acknowledges it, like appended entries, once
     * the journal's compaction is durable.
     */
    void installSnapshot(SnapshotMeta meta, byte[] sessionTable) {
        check(
                meta.index() > state.commitIndex,
                "installing a snapshot at " + meta.index() + " below commit " + state.commitIndex);
        if (!state.log.installSnapshot(meta.index(), meta.term(), meta.configuration())) {
            state.durability.truncatedFrom(meta.index() + 1);
        }
        sessions.restore(sessionTable);
        state.commitIndex = meta.index();
        state.lastApplied = meta.index();
        state.verifiedIndex = Math.max(state.verifiedIndex, meta.index()); // committed: every later leader holds it
        compactJournal(meta);
        endStorageFault();
        if (meta.configuration() instanceof Configuration view) {
            outbox.add(new Output.ViewChanged(meta.index(), view));
        }
        state.ackPending = true;
        completeReadyReads();
    }

    /**
     * A faulted member whose leader sends its log from entry 1: the journal drops every entry, and with them the
     * damage (PROTOCOL.md §5). The entries that follow are written after that, in ticket order.
     */
    private void restartLogFromScratch() {
        check(state.log.lastIndex() == 0, "a faulted member starts with an empty state.log");
        compactJournal(SnapshotMeta.beforeFirstEntry(state.log.bootstrapConfiguration()));
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

    // ---------------------------------------------------------------- status

    /** This member's status (PROTOCOL.md §9). */
    public MemberStatus status() {
        return state.status();
    }

    private void reportStatus() {
        MemberStatus status = status();
        if (status != reportedStatus || state.term != reportedTerm || !state.leaderId.equals(reportedLeader)) {
            reportedStatus = status;
            reportedTerm = state.term;
            reportedLeader = state.leaderId;
            outbox.add(new Output.StatusChanged(status, state.term, state.leaderId));
        }
    }

    static void check(boolean condition, String invariant) {
        MemberState.check(condition, invariant);
    }

    // ---------------------------------------------------------------- read-only accessors (runtime, simulator)

    /** This member's id. */
    public MemberId self() {
        return state.self;
    }

    /** Current role. */
    public Role role() {
        return state.role;
    }

    /** Current term. */
    public long term() {
        return state.term;
    }

    /** The vote cast in the current term, if any. */
    public Optional<MemberId> votedFor() {
        return state.votedFor;
    }

    /** The leader this member follows (itself when leading), if known. */
    public Optional<MemberId> leaderId() {
        return state.leaderId;
    }

    /** Highest index known committed. */
    public long commitIndex() {
        return state.commitIndex;
    }

    /** Highest index applied to the state machine. */
    public long lastApplied() {
        return state.lastApplied;
    }

    /** Highest log index reported durable. */
    public long durableIndex() {
        return state.durability.durableIndex();
    }

    /** Read-only view of the log. */
    public ReplicationLog log() {
        return state.log;
    }

    /** The configuration in force: the latest in the log, committed or not (PROTOCOL.md §2). */
    public QuorumSystem configuration() {
        return state.configuration();
    }

    /** Counters of ignored and refused input, and of changes rolled back. */
    public ProtocolCounters counters() {
        return state.counters;
    }

    ProtocolOptions options() {
        return state.options;
    }

    Durability durability() {
        return state.durability;
    }

    SortedSet<MemberId> members() {
        return state.members();
    }

    Reconfiguration reconfiguration() {
        return reconfiguration;
    }

    boolean ownTermCommitted() {
        return state.ownTermCommitted();
    }

    Outbox outbox() {
        return outbox;
    }

    Leader leader() {
        return leader;
    }
}
