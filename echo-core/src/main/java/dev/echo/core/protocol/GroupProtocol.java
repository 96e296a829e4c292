package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.StateMachine;
import dev.echo.core.protocol.ProtocolCounters.Counter;
import dev.echo.core.storage.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
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
    private final MemberId self;
    /** This member's incarnation: the life of its disk (PROTOCOL.md §5). */
    private final long selfIncarnation;
    /**
     * The latest incarnation heard from each other member. Messages from an earlier one are dropped: that life's disk
     * is gone. Its votes and acknowledgements count only where a configuration records that incarnation.
     */
    private final TreeMap<MemberId, Long> incarnations = new TreeMap<>();

    private final ProtocolOptions options;
    /** The configuration this member was started with: its members are never strangers to it (PROTOCOL.md §10). */
    private final QuorumSystem startConfiguration;
    /** The configuration {@link #members} was computed for; recomputed only when the log's configuration changes. */
    private QuorumSystem membersOf;
    /** The configuration's members: consulted on every message. */
    private SortedSet<MemberId> members;

    private final Reconfiguration reconfiguration = new Reconfiguration(this);
    private final Snapshots snapshots;

    private final StateMachine stateMachine;
    private final DeterministicRandom random;
    private final ReplicationLog log;
    private final Durability durability;
    private final ClientSessions sessions;
    private final PendingOperations pending;
    private final ProtocolCounters counters = new ProtocolCounters();
    private final List<Output> outputs = new ArrayList<>();

    private Role role = Role.FOLLOWER;
    /** Its journal reported damage (PROTOCOL.md §5): no vote, no campaign, no ack until its leader repairs it. */
    private boolean storageFaulted;

    private long term;
    private Optional<MemberId> votedFor;
    private Optional<MemberId> leaderId = Optional.empty();
    private Leader leader;
    private final TreeSet<MemberId> votes = new TreeSet<>();

    private long commitIndex;
    private long lastApplied;
    private int electionElapsed;
    private int electionTimeout;
    /** Ticks since a live leader was last heard (or, at the leader, 0): the lease of PROTOCOL.md §6. */
    private long ticksSinceLeaderContact = Long.MAX_VALUE / 2;

    // Follower bookkeeping for the current leader and term.
    private long verifiedIndex;
    private long lastAckedMatch;
    private boolean ackPending;
    private long readRoundSeen;

    // What the step being processed changed, persisted at its end as one write.
    private boolean hardStateDirty;
    private long writeFrom = Long.MAX_VALUE;

    private MemberStatus reportedStatus;
    private long reportedTerm = -1;
    private Optional<MemberId> reportedLeader = Optional.empty();
    /** The leader membership requests were last sent to (the leader as of the previous step). */
    private Optional<MemberId> forwardedTo = Optional.empty();

    /** The roles of PROTOCOL.md §6. */
    public enum Role {
        /** Follows a leader (or waits for one). */
        FOLLOWER,
        /** Runs a pre-vote; its term is unchanged. */
        PRE_CANDIDATE,
        /** Asks for votes in a new term. */
        CANDIDATE,
        /** Leads its term. */
        LEADER
    }

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
     * Creates a member from its recovered durable state.
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
        this.self = Objects.requireNonNull(self, "self");
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
        }
        this.selfIncarnation = incarnation;
        this.startConfiguration = Objects.requireNonNull(configuration, "configuration");
        this.options = Objects.requireNonNull(options, "options");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.random = new DeterministicRandom(seed);
        this.snapshots = new Snapshots(this, options.snapshots());
        this.sessions = new ClientSessions(options.maxSessions(), options.sessionTtlEntries());
        this.pending = new PendingOperations(options.maxPendingRequests(), options.retryTicks());
        this.term = recovered.hardState().term();
        this.votedFor = recovered.hardState().votedFor();
        this.storageFaulted = recovered.storageFaulted();
        if (recovered.snapshot().isPresent()) {
            SnapshotMeta meta = recovered.snapshot().get().meta();
            this.log = new ReplicationLog(meta.configuration(), meta.index(), meta.term(), recovered.entries());
            sessions.restore(recovered.snapshot().get().sessions());
            commitIndex = meta.index();
            lastApplied = meta.index();
            if (meta.term() > term) { // installed from a leader whose term had not reached the journal yet
                term = meta.term();
                votedFor = Optional.empty();
                hardStateDirty = true;
            }
        } else {
            this.log = new ReplicationLog(configuration, recovered.entries());
        }
        this.durability = new Durability(log.lastIndex());
        resetElectionTimer();
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
        List<Output> drained = new ArrayList<>(outputs);
        outputs.clear();
        return drained;
    }

    // ---------------------------------------------------------------- ticks and elections

    private void tick() {
        if (role == Role.LEADER) {
            ticksSinceLeaderContact = 0;
            leader.tick();
        } else {
            ticksSinceLeaderContact = Math.min(ticksSinceLeaderContact + 1, Long.MAX_VALUE / 2);
            if (++electionElapsed >= electionTimeout && mayCampaign()) {
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
        if (storageFaulted || snapshots.installing()) {
            return false; // its log cannot be trusted, or is about to be replaced
        }
        if (configuration().isVoterAs(self, selfIncarnation)
                || (options.has(Mutation.IGNORE_INCARNATIONS) && configuration().isVoter(self))) {
            return true;
        }
        long latest = log.configurationIndex();
        return latest > commitIndex && log.configurationBefore(latest).isVoterAs(self, selfIncarnation);
    }

    private void startPreVote() {
        role = Role.PRE_CANDIDATE;
        leaderId = Optional.empty();
        leader = null;
        votes.clear();
        votes.add(self);
        resetElectionTimer();
        broadcastToVoters(new Message.PreVoteRequest(self, term + 1, log.lastIndex(), log.lastTerm()));
        if (configuration().isQuorumOf(counted(votes::contains))) {
            startElection(false);
        }
    }

    private void startElection(boolean leadershipTransfer) {
        check(Domains.contains(term + 1), "§10: terms stay below 2^62, so term + 1 never overflows: " + term);
        role = Role.CANDIDATE;
        term++;
        votedFor = Optional.of(self);
        hardStateDirty = true;
        leaderId = Optional.empty();
        leader = null;
        votes.clear();
        votes.add(self);
        resetElectionTimer();
        broadcastToVoters(new Message.VoteRequest(self, term, log.lastIndex(), log.lastTerm(), leadershipTransfer));
        // Our own vote counts only once durable: checked again when the persist completes.
        maybeWinElection();
    }

    private void maybeWinElection() {
        if (role != Role.CANDIDATE || hardStateDirty || !durability.hardStateDurable()) {
            return;
        }
        boolean won = configuration().isQuorumOf(counted(votes::contains))
                || (options.has(Mutation.COUNT_ANY_VOTES)
                        && votes.size() * 2 > members().size());
        if (won) {
            becomeLeader();
        }
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leaderId = Optional.of(self);
        ticksSinceLeaderContact = 0;
        leader = new Leader(this);
        if (!options.has(Mutation.SKIP_NOOP)) {
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
        if (role == Role.LEADER) {
            reconfiguration.leadershipLost();
        }
        boolean termChanged = newTerm > term;
        check(Domains.contains(newTerm), "§10: a term outside its domain reached the core: " + newTerm);
        if (termChanged) {
            term = newTerm;
            votedFor = Optional.empty();
            hardStateDirty = true;
        }
        // What this member verified against a leader holds only for that leader *in that term*: the same member
        // leading a later term may have a different log (found by the simulator with membership changes).
        boolean leaderChanged = termChanged || !newLeader.equals(leaderId);
        role = Role.FOLLOWER;
        leader = null;
        leaderId = newLeader;
        votes.clear();
        if (leaderChanged) {
            verifiedIndex = 0;
            lastAckedMatch = 0;
            ackPending = false;
            readRoundSeen = 0;
        }
        resetElectionTimer();
    }

    /** A leader that lost contact with a quorum steps down (check-quorum, PROTOCOL.md §6). */
    void stepDown() {
        becomeFollower(term, Optional.empty());
    }

    private void resetElectionTimer() {
        electionElapsed = 0;
        electionTimeout = options.electionTimeoutMinTicks()
                + random.nextInt(options.electionTimeoutMaxTicks() - options.electionTimeoutMinTicks());
    }

    private boolean inLeaderLease() {
        return ticksSinceLeaderContact < options.electionTimeoutMinTicks()
                && !options.has(Mutation.VOTE_WHILE_LEADER_LIVE);
    }

    private boolean candidateLogUpToDate(long lastLogIndex, long lastLogTerm) {
        return lastLogTerm > log.lastTerm() || (lastLogTerm == log.lastTerm() && lastLogIndex >= log.lastIndex());
    }

    // ---------------------------------------------------------------- messages

    private void receive(Message message, long incarnation, boolean authenticated) {
        // Out-of-domain input never reaches state, not even the table of incarnations (PROTOCOL.md §10).
        if (!Domains.contains(incarnation) || !MessageChecks.wellFormed(message, options)) {
            counters.increment(Counter.MALFORMED_MESSAGE);
            return;
        }
        if (!heardFrom(message, authenticated)) {
            counters.increment(Counter.UNKNOWN_SENDER);
            return;
        }
        // Learnt from anyone heard, members or not: a leader adding a member records the incarnation it last heard.
        if (!currentIncarnation(message.from(), incarnation)) {
            counters.increment(Counter.STALE_INCARNATION);
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
                && request.term() > term
                && !request.leadershipTransfer()
                && inLeaderLease()) {
            counters.increment(Counter.VOTE_IN_LEASE); // §6: ignore, do not even adopt the term
            return;
        }
        if (message.term() > term) {
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
            if (role == Role.LEADER && response.term() == term) {
                leader.onAppendResponse(response);
            } else {
                counters.increment(Counter.STALE_TERM);
            }
        } else if (message instanceof Message.TimeoutNow timeoutNow) {
            if (timeoutNow.term() == term && role == Role.FOLLOWER && leaderId.equals(Optional.of(timeoutNow.from()))) {
                startElection(true);
            } else {
                counters.increment(Counter.STALE_TERM);
            }
        } else if (message instanceof Message.ForwardRequest forward) {
            onForwardRequest(forward);
        } else if (message instanceof Message.ReadIndexRequest request) {
            if (role == Role.LEADER) {
                leader.registerRead(request.from(), request.readId());
            } else {
                counters.increment(Counter.NOT_LEADER);
            }
        } else if (message instanceof Message.ReadIndexResponse response) {
            onReadIndexResponse(response);
        } else if (message instanceof Message.InstallSnapshot chunk) {
            onInstallSnapshot(chunk);
        } else if (message instanceof Message.InstallSnapshotResponse response) {
            if (role == Role.LEADER && response.term() == term) {
                leader.onInstallSnapshotResponse(response);
            } else {
                counters.increment(Counter.STALE_TERM);
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
        if (message.from().equals(self)) {
            return false;
        }
        if (!options.has(Mutation.TRUST_STRANGERS)) {
            if (!knows(message.from())) {
                return strangerMayBeHeard(message, authenticated);
            }
            // A member that is a voter in no configuration this member knows (a learner) cannot lead or be elected
            // in any term this member could know of: it raises no term except as a stranger would (a learner
            // promoted by an entry this member lacks). Else one message with a huge term from a learner would do
            // what the intruder's did (HostilePeerIT).
            if (message.term() > term && !isClientRequest(message) && !knowsAsVoter(message.from())) {
                return strangerMayBeHeard(message, authenticated);
            }
        }
        return message instanceof Message.AppendRequest
                || message instanceof Message.InstallSnapshot
                || message instanceof Message.TimeoutNow
                || message instanceof Message.MembershipRequest
                || message instanceof Message.MembershipResponse
                || members().contains(message.from())
                || !members().contains(self)
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
            return !members().contains(self) || message.term() <= term;
        }
        return candidateKnowsMore(message);
    }

    /** Membership requests and answers travel between members of any rank and never change a term. */
    private static boolean isClientRequest(Message message) {
        return message instanceof Message.MembershipRequest || message instanceof Message.MembershipResponse;
    }

    /** Whether {@code id} is a voter of a configuration this member knows (as {@link #knows}). */
    private boolean knowsAsVoter(MemberId id) {
        return configuration().isVoter(id) || someKnownConfiguration(known -> known.isVoter(id));
    }

    /**
     * Whether {@code id} is in a configuration this member knows: the one it was started with, its snapshot's, or any
     * in its log, committed or not (PROTOCOL.md §10). The latest configuration answers almost every message; the walk
     * over older ones is only for senders outside it.
     */
    private boolean knows(MemberId id) {
        return members().contains(id)
                || someKnownConfiguration(known -> known.members().contains(id));
    }

    private boolean someKnownConfiguration(Predicate<QuorumSystem> test) {
        if (test.test(startConfiguration) || test.test(log.bootstrapConfiguration())) {
            return true;
        }
        for (QuorumSystem configuration : log.configurationEntries().values()) {
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
        Long known = incarnations.get(from);
        if (known != null && incarnation < known) {
            return false;
        }
        if (known == null || incarnation > known) {
            incarnations.put(from, incarnation);
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
        if (id.equals(self)) {
            return selfIncarnation;
        }
        Long known = incarnations.get(id);
        return known == null ? -1 : known;
    }

    /**
     * The members in {@code set} whose voice counts for a voter: it came from the incarnation the configuration
     * records for that voter (PROTOCOL.md §5).
     */
    QuorumSystem.VoterTest counted(Predicate<MemberId> set) {
        return (id, recorded) -> set.test(id) && countsAs(id, recorded);
    }

    /** Whether what {@code id} says counts for the voter a configuration records at {@code recorded}. */
    boolean countsAs(MemberId id, long recorded) {
        return incarnationOf(id) == recorded || options.has(Mutation.IGNORE_INCARNATIONS);
    }

    private boolean candidateKnowsMore(Message message) {
        if (message instanceof Message.PreVoteRequest request) {
            return logStrictlyAhead(request.lastLogIndex(), request.lastLogTerm());
        }
        if (message instanceof Message.VoteRequest request) {
            return logStrictlyAhead(request.lastLogIndex(), request.lastLogTerm());
        }
        return false;
    }

    private boolean logStrictlyAhead(long lastLogIndex, long lastLogTerm) {
        return lastLogTerm > log.lastTerm() || (lastLogTerm == log.lastTerm() && lastLogIndex > log.lastIndex());
    }

    private void onPreVoteRequest(Message.PreVoteRequest request) {
        boolean granted = request.term() > term
                && !storageFaulted
                && !inLeaderLease()
                && candidateLogUpToDate(request.lastLogIndex(), request.lastLogTerm());
        if (!granted && request.term() > term && inLeaderLease()) {
            counters.increment(Counter.VOTE_IN_LEASE);
        }
        send(request.from(), new Message.PreVoteResponse(self, granted ? request.term() : term, granted));
    }

    private void onPreVoteResponse(Message.PreVoteResponse response) {
        if (role == Role.PRE_CANDIDATE && response.granted() && response.term() == term + 1) {
            votes.add(response.from());
            if (configuration().isQuorumOf(counted(votes::contains))) {
                startElection(false);
            }
        } else if (!response.granted() && response.term() > term) {
            becomeFollower(response.term(), Optional.empty());
        }
    }

    private void onVoteRequest(Message.VoteRequest request) {
        if (request.term() < term) {
            send(request.from(), new Message.VoteResponse(self, term, false));
            return;
        }
        boolean canVote = votedFor.isEmpty() || votedFor.get().equals(request.from());
        boolean leaseHolds = inLeaderLease() && !request.leadershipTransfer();
        boolean granted = canVote
                && !storageFaulted // it may have voted in this term already: the record is what was damaged
                && role != Role.LEADER
                && !leaseHolds
                && candidateLogUpToDate(request.lastLogIndex(), request.lastLogTerm());
        if (granted) {
            if (votedFor.isEmpty()) {
                votedFor = Optional.of(request.from());
                hardStateDirty = true;
            }
            electionElapsed = 0;
        }
        // Held by send() until the vote is durable (PROTOCOL.md §5).
        send(request.from(), new Message.VoteResponse(self, term, granted));
    }

    private void onVoteResponse(Message.VoteResponse response) {
        if (role == Role.CANDIDATE && response.term() == term && response.granted()) {
            votes.add(response.from());
            maybeWinElection();
        }
    }

    private void onAppendRequest(Message.AppendRequest request) {
        if (request.term() < term) {
            counters.increment(Counter.STALE_TERM);
            send(request.from(), new Message.AppendResponse(self, term, false, 0, 0, 0, 0));
            return;
        }
        heardFromLeader(request.from());
        if (snapshots.installing()) {
            counters.increment(Counter.BUSY_INSTALLING); // the leader resends once the snapshot is in
            return;
        }
        readRoundSeen = Math.max(readRoundSeen, request.readRound());
        // Whether this step wrote to the journal: the answer then waits until that is durable.
        boolean wrote = false;
        if (storageFaulted) {
            if (request.prevIndex() > 0) {
                send(request.from(), rejection(0, 0)); // AppendResponse.asksForRepair: repair me from scratch
                return;
            }
            restartLogFromScratch(); // the leader sends its whole log: nothing of ours is needed
            wrote = true;
        }
        if (request.prevIndex() > log.lastIndex()) {
            send(request.from(), rejection(log.lastIndex() + 1, 0));
            return;
        }
        // Entries up to our snapshot are committed, so every leader holds them as we did: check from the snapshot on.
        long prevIndex = Math.max(request.prevIndex(), log.snapshotIndex());
        long prevTerm = prevIndex == request.prevIndex() ? request.prevTerm() : log.snapshotTerm();
        if (!log.matches(prevIndex, prevTerm)) {
            long conflictTerm = log.termAt(prevIndex);
            check(prevIndex > commitIndex, "§11.6: conflict at committed index " + prevIndex);
            send(request.from(), rejection(log.firstIndexOfTerm(conflictTerm, prevIndex), conflictTerm));
            return;
        }
        for (Entry entry : request.entries()) {
            if (entry.index() <= prevIndex) {
                continue; // inside our snapshot
            }
            if (entry.index() <= log.lastIndex()) {
                if (log.termAt(entry.index()) == entry.term()) {
                    continue; // duplicate or reordered: never truncate without a real conflict (§4)
                }
                truncateFrom(entry.index());
            }
            log.append(entry);
            markWritten(entry.index());
            wrote = true;
        }
        long lastNew = Math.max(request.prevIndex() + request.entries().size(), prevIndex);
        if (options.has(Mutation.TRUNCATE_ON_SHORTER_APPEND) && log.lastIndex() > lastNew && lastNew >= commitIndex) {
            truncateFrom(lastNew + 1);
        }
        verifiedIndex = Math.min(Math.max(verifiedIndex, lastNew), log.lastIndex());
        long newCommit = Math.min(request.commitIndex(), verifiedIndex);
        if (newCommit > commitIndex) {
            advanceCommit(newCommit);
        }
        if (wrote && !options.has(Mutation.ACK_BEFORE_FSYNC)) {
            ackPending = true; // sent from persisted() once the entries are durable
        } else {
            sendAck();
        }
    }

    /** A message only a leader of the current term sends arrived: follow it and restart the election timer. */
    private void heardFromLeader(MemberId from) {
        if (role == Role.LEADER) {
            throw new IllegalStateException("invariant §11.1: two leaders in term " + term);
        }
        if (role != Role.FOLLOWER || leaderId.isEmpty()) {
            becomeFollower(term, Optional.of(from));
        }
        leaderId = Optional.of(from);
        electionElapsed = 0;
        ticksSinceLeaderContact = 0;
    }

    private void onInstallSnapshot(Message.InstallSnapshot chunk) {
        if (chunk.term() < term) {
            counters.increment(Counter.STALE_TERM);
            send(chunk.from(), new Message.InstallSnapshotResponse(self, term, chunk.index(), 0, false));
            return;
        }
        heardFromLeader(chunk.from());
        snapshots.onChunk(chunk);
    }

    private Message.AppendResponse rejection(long conflictIndex, long conflictTerm) {
        return new Message.AppendResponse(self, term, false, 0, conflictIndex, conflictTerm, readRoundSeen);
    }

    private void sendAck() {
        long match = options.has(Mutation.ACK_BEFORE_FSYNC)
                ? verifiedIndex
                : Math.min(verifiedIndex, durability.durableIndex());
        lastAckedMatch = Math.max(lastAckedMatch, match);
        ackPending = verifiedIndex > match;
        leaderId.ifPresent(to -> send(to, new Message.AppendResponse(self, term, true, match, 0, 0, readRoundSeen)));
    }

    private void truncateFrom(long index) {
        check(index > commitIndex, "§11.6: truncating committed index " + index + " (commit " + commitIndex + ")");
        log.truncateFrom(index);
        durability.truncatedFrom(index);
        markWritten(index);
    }

    private void markWritten(long index) {
        writeFrom = Math.min(writeFrom, index);
    }

    private void onForwardRequest(Message.ForwardRequest forward) {
        if (role != Role.LEADER || leader.transferring()) {
            counters.increment(Counter.NOT_LEADER); // the forwarding member retries
            return;
        }
        appendAsLeader(forward.payload());
        leader.replicateToAll();
    }

    private void onReadIndexResponse(Message.ReadIndexResponse response) {
        PendingOperations.PendingRead read = pending.read(response.readId());
        if (read != null && response.term() == term && leaderId.equals(Optional.of(response.from()))) {
            read.readIndex = Math.max(read.readIndex, response.readIndex());
            completeReadyReads();
        }
    }

    // ---------------------------------------------------------------- durability

    private void persisted(long ticket) {
        List<Output.Send> released = durability.persisted(ticket);
        if (released == null) {
            counters.increment(Counter.BAD_PERSIST_TICKET);
            return;
        }
        outputs.addAll(released);
        if (role == Role.CANDIDATE) {
            maybeWinElection();
        } else if (role == Role.LEADER) {
            leader.maybeCommit();
        } else if (ackPending && leaderId.isPresent()) {
            if (Math.min(verifiedIndex, durability.durableIndex()) > lastAckedMatch) {
                sendAck();
            }
        }
    }

    private void finishStep() {
        if (!leaderId.equals(forwardedTo)) {
            if (forwardedTo.isPresent()) {
                reconfiguration.leaderChanged(); // requests sent to the old leader: outcome unknown
            }
            forwardedTo = leaderId;
        }
        if (leader != null) {
            leader.syncFollowers(); // the configuration may have changed with the log
        }
        snapshots.maybeTake();
        long last = log.lastIndex();
        boolean logWritten = writeFrom != Long.MAX_VALUE;
        if (hardStateDirty || logWritten) {
            long first = logWritten ? writeFrom : last + 1;
            Optional<HardState> hardState =
                    hardStateDirty ? Optional.of(new HardState(term, votedFor)) : Optional.empty();
            long ticket = durability.issue(last, hardStateDirty);
            outputs.add(new Output.Persist(ticket, hardState, first, log.suffix(first)));
            hardStateDirty = false;
            writeFrom = Long.MAX_VALUE;
        }
        reportStatus();
    }

    /** Sends now, or holds the message until the term/vote it depends on is durable (PROTOCOL.md §5). */
    void send(MemberId to, Message message) {
        Output.Send send = new Output.Send(to, message);
        if (!durability.holdIfNeeded(send, hardStateDirty)) {
            outputs.add(send);
        }
    }

    /** Sends {@code message} to every other voter of the configuration in force. */
    void broadcastToVoters(Message message) {
        for (MemberId member : members()) {
            if (!member.equals(self) && configuration().isVoter(member)) {
                send(member, message);
            }
        }
    }

    // ---------------------------------------------------------------- client requests

    private void submit(Input.Submit submit) {
        if (submit.sequence() < 1 || submit.ackedSequence() < 0 || submit.ackedSequence() >= submit.sequence()) {
            refuse(submit.clientId(), submit.sequence(), RejectReason.INVALID);
        } else if (submit.command().length > options.maxCommandBytes()) {
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
        if (status == MemberStatus.NO_QUORUM || status == MemberStatus.STORAGE_FAULTED && leaderId.isEmpty()) {
            return Optional.of(RejectReason.NO_QUORUM);
        }
        return status == MemberStatus.NOT_MEMBER ? Optional.of(RejectReason.NOT_MEMBER) : Optional.empty();
    }

    private void refuse(long clientId, long sequence, RejectReason reason) {
        counters.increment(Counter.REQUEST_REFUSED);
        Output.Rejected rejected = new Output.Rejected(reason);
        outputs.add(
                sequence == 0
                        ? new Output.SessionOpened(clientId, rejected)
                        : new Output.Completed(clientId, sequence, rejected));
    }

    /** Appends the request (as leader, once), or forwards it to the leader; retried on a timer until applied. */
    private void dispatch(PendingOperations.PendingRequest request) {
        if (role == Role.LEADER) {
            if (leader.transferring()) {
                return;
            }
            boolean stillInLog = request.appendedIndex > 0
                    && log.matches(request.appendedIndex, request.appendedTerm)
                    && request.appendedTerm == term;
            if (!stillInLog) {
                Entry entry = appendAsLeader(request.payload);
                request.appendedIndex = entry.index();
                request.appendedTerm = entry.term();
                leader.replicateToAll();
            }
        } else if (leaderId.isPresent()) {
            send(leaderId.get(), new Message.ForwardRequest(self, term, request.payload));
        }
    }

    Entry appendAsLeader(Entry.Payload payload) {
        Entry entry = new Entry(log.lastIndex() + 1, term, payload);
        log.append(entry);
        markWritten(entry.index());
        return entry;
    }

    // ---------------------------------------------------------------- reads

    private void read(Input.Read read) {
        Optional<RejectReason> unserved = unservedBecause();
        if (read.query().length > options.maxCommandBytes()) {
            outputs.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.TOO_LARGE)));
        } else if (snapshots.installing()) { // the state machine is being replaced
            outputs.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.NO_QUORUM)));
        } else if (read.stale()) {
            byte[] answer = stateMachine.query(read.query());
            outputs.add(new Output.ReadCompleted(read.readId(), new Output.Committed(lastApplied, answer, true)));
        } else if (pending.hasRead(read.readId())) {
            outputs.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.INVALID)));
        } else if (pending.isFull()) {
            outputs.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(RejectReason.OVERLOADED)));
        } else if (unserved.isPresent()) {
            outputs.add(new Output.ReadCompleted(read.readId(), new Output.Rejected(unserved.get())));
        } else {
            requestReadIndex(pending.addRead(read.readId(), read.query()));
        }
    }

    private void requestReadIndex(PendingOperations.PendingRead read) {
        if (role == Role.LEADER) {
            leader.registerRead(self, read.readId);
        } else if (leaderId.isPresent()) {
            send(leaderId.get(), new Message.ReadIndexRequest(self, term, read.readId));
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
        for (PendingOperations.PendingRead read : pending.takeReadyReads(lastApplied)) {
            byte[] answer = stateMachine.query(read.query);
            outputs.add(new Output.ReadCompleted(read.readId, new Output.Committed(lastApplied, answer, false)));
        }
    }

    // ---------------------------------------------------------------- leadership transfer

    private void transferLeadership(MemberId target) {
        if (role != Role.LEADER || target.equals(self) || !configuration().isVoter(target)) {
            counters.increment(Counter.TRANSFER_REFUSED);
            return;
        }
        leader.startTransfer(target);
    }

    // ---------------------------------------------------------------- commit and apply

    /** Raises the commit index (never lowers it: invariant §11.8) and applies what became committed. */
    void advanceCommit(long newCommit) {
        check(newCommit <= log.lastIndex(), "§11.8: commit " + newCommit + " beyond last index " + log.lastIndex());
        if (newCommit <= commitIndex) {
            return;
        }
        commitIndex = newCommit;
        while (lastApplied < commitIndex && !snapshots.installing()) {
            apply(log.entry(++lastApplied));
        }
        completeReadyReads();
        if (role == Role.LEADER) {
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
            outputs.add(new Output.ViewChanged(entry.index(), view));
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
            outputs.add(
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

    /** The snapshot the log starts after, for sending; the log must have one. */
    SnapshotMeta snapshotMeta() {
        return new SnapshotMeta(log.snapshotIndex(), log.snapshotTerm(), log.bootstrapConfiguration());
    }

    /** Whether this member holds the log up to {@code index} (with {@code term} there) durably. */
    boolean holdsDurably(long index, long snapshotTerm) {
        if (index <= log.snapshotIndex()) {
            return true; // in our own snapshot, which is durable
        }
        return index <= commitIndex && index <= durability.durableIndex() && log.matches(index, snapshotTerm);
    }

    /** A durable local snapshot covers {@code meta}: drop the log up to it, here and in the journal. */
    void compactTo(SnapshotMeta meta) {
        if (meta.index() <= log.snapshotIndex() || meta.index() > lastApplied) {
            return; // a newer snapshot was installed meanwhile
        }
        log.compactTo(meta.index(), meta.term());
        compactJournal(meta);
    }

    /** Asks the journal to drop its log up to {@code meta}, in ticket order with the persists. */
    void compactJournal(SnapshotMeta meta) {
        outputs.add(new Output.CompactLog(durability.issue(log.lastIndex(), false), meta));
    }

    /**
     * The runtime installed a snapshot received from the leader (PROTOCOL.md §8): the state machine holds its state;
     * the log keeps a matching suffix or restarts after it. The follower acknowledges it, like appended entries, once
     * the journal's compaction is durable.
     */
    void installSnapshot(SnapshotMeta meta, byte[] sessionTable) {
        check(meta.index() > commitIndex, "installing a snapshot at " + meta.index() + " below commit " + commitIndex);
        if (!log.installSnapshot(meta.index(), meta.term(), meta.configuration())) {
            durability.truncatedFrom(meta.index() + 1);
        }
        sessions.restore(sessionTable);
        commitIndex = meta.index();
        lastApplied = meta.index();
        verifiedIndex = Math.max(verifiedIndex, meta.index()); // committed: every later leader holds it
        compactJournal(meta);
        endStorageFault();
        if (meta.configuration() instanceof Configuration view) {
            outputs.add(new Output.ViewChanged(meta.index(), view));
        }
        ackPending = true;
        completeReadyReads();
    }

    /**
     * A faulted member whose leader sends its log from entry 1: the journal drops every entry, and with them the
     * damage (PROTOCOL.md §5). The entries that follow are written after that, in ticket order.
     */
    private void restartLogFromScratch() {
        check(log.lastIndex() == 0, "a faulted member starts with an empty log");
        compactJournal(SnapshotMeta.beforeFirstEntry(log.bootstrapConfiguration()));
        endStorageFault();
    }

    /** Repaired: its log restarts from the leader's snapshot or first entry, and it takes part again. */
    private void endStorageFault() {
        if (storageFaulted && votedFor.isEmpty()) {
            // Its vote in this term may have been in the damaged records. Recording the leader, who already won the
            // term, denies every other candidate of it at no cost (PROTOCOL.md §5).
            votedFor = leaderId;
            hardStateDirty = true;
        }
        storageFaulted = false;
    }

    // ---------------------------------------------------------------- status

    /** This member's status (PROTOCOL.md §9). */
    public MemberStatus status() {
        if (role == Role.LEADER) {
            return MemberStatus.LEADER;
        }
        if (storageFaulted) {
            return MemberStatus.STORAGE_FAULTED;
        }
        if (!members().contains(self)) {
            return MemberStatus.NOT_MEMBER;
        }
        return role == Role.FOLLOWER && leaderId.isPresent() ? MemberStatus.FOLLOWER : MemberStatus.NO_QUORUM;
    }

    private void reportStatus() {
        MemberStatus status = status();
        if (status != reportedStatus || term != reportedTerm || !leaderId.equals(reportedLeader)) {
            reportedStatus = status;
            reportedTerm = term;
            reportedLeader = leaderId;
            outputs.add(new Output.StatusChanged(status, term, leaderId));
        }
    }

    static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("protocol invariant violated: " + invariant);
        }
    }

    // ---------------------------------------------------------------- read-only accessors (runtime, simulator)

    /** This member's id. */
    public MemberId self() {
        return self;
    }

    /** Current role. */
    public Role role() {
        return role;
    }

    /** Current term. */
    public long term() {
        return term;
    }

    /** The vote cast in the current term, if any. */
    public Optional<MemberId> votedFor() {
        return votedFor;
    }

    /** The leader this member follows (itself when leading), if known. */
    public Optional<MemberId> leaderId() {
        return leaderId;
    }

    /** Highest index known committed. */
    public long commitIndex() {
        return commitIndex;
    }

    /** Highest index applied to the state machine. */
    public long lastApplied() {
        return lastApplied;
    }

    /** Highest log index reported durable. */
    public long durableIndex() {
        return durability.durableIndex();
    }

    /** Read-only view of the log. */
    public ReplicationLog log() {
        return log;
    }

    /** The configuration in force: the latest in the log, committed or not (PROTOCOL.md §2). */
    public QuorumSystem configuration() {
        if (options.has(Mutation.SWITCH_AT_COMMIT)) {
            return log.configurationAt(Math.max(log.snapshotIndex(), Math.min(commitIndex, log.lastIndex())));
        }
        return log.configuration();
    }

    /** Counters of ignored and refused input, and of changes rolled back. */
    public ProtocolCounters counters() {
        return counters;
    }

    ProtocolOptions options() {
        return options;
    }

    Durability durability() {
        return durability;
    }

    SortedSet<MemberId> members() {
        QuorumSystem current = configuration();
        if (current != membersOf) {
            membersOf = current;
            members = current.members();
        }
        return members;
    }

    Reconfiguration reconfiguration() {
        return reconfiguration;
    }

    /** Whether an entry of this member's own term is committed (a leader's no-op): a precondition of config changes. */
    boolean ownTermCommitted() {
        return commitIndex > 0 && log.termAt(commitIndex) == term;
    }

    List<Output> outputs() {
        return outputs;
    }

    Leader leader() {
        return leader;
    }
}
