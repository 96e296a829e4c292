package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.StateMachine;
import dev.echo.core.protocol.ProtocolCounters.Counter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

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

    // The handlers, one per concern. Each sees the state and the outbox, never this dispatcher or another handler.
    private final Admission admission;
    private final Election election;
    private final FollowerAppends followerAppends;
    private final ClientRequests requests;
    private final Applier applier;
    private final LogReads logReads;
    private final Reconfiguration reconfiguration;
    private final Snapshots snapshots;
    private final Multicasts multicasts;
    /** Requests and reads waiting at this member: the client handler's, shared with a leader's read barriers. */
    private final PendingOperations pending;
    /** The leader's replication state for its term, or null while this member does not lead. */
    private Leader leader;

    /** The leader membership requests were last sent to (the leader as of the previous step). */
    private Optional<MemberId> forwardedTo = Optional.empty();

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
        this(self, incarnation, configuration, options, SafetyRules.STRICT, recovered, stateMachine, seed);
    }

    /** As the constructor above, under {@code rules}: the testkit's mutants break one rule each. */
    public GroupProtocol(
            MemberId self,
            long incarnation,
            QuorumSystem configuration,
            ProtocolOptions options,
            SafetyRules rules,
            RecoveredState recovered,
            StateMachine stateMachine,
            long seed) {
        Objects.requireNonNull(self, "self");
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
        }
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(stateMachine, "stateMachine");
        ClientSessions sessions = new ClientSessions(options.maxSessions(), options.sessionTtlEntries());
        this.pending = new PendingOperations(options.maxPendingRequests(), options.retryTicks());
        ReplicationLog log = ReplicationLog.recovered(configuration, recovered);
        Objects.requireNonNull(rules, "rules");
        this.state =
                new MemberState(self, incarnation, configuration, options, rules, log, recovered.hardState(), seed);
        this.outbox = new Outbox(state);
        this.admission = new Admission(state);
        this.election = new Election(state, outbox);
        this.followerAppends = new FollowerAppends(state, outbox);
        this.requests = new ClientRequests(state, outbox, pending, stateMachine);
        this.multicasts = new Multicasts(state, outbox, seed);
        this.logReads = new LogReads(state, outbox);
        this.applier = new Applier(state, logReads, outbox, pending, sessions, stateMachine, multicasts);
        this.reconfiguration = new Reconfiguration(state, outbox, id -> leader != null && leader.caughtUp(id));
        this.snapshots = new Snapshots(state, outbox, sessions);
        state.storageFaulted = recovered.storageFaulted();
        if (recovered.snapshot().isPresent()) {
            SnapshotMeta meta = recovered.snapshot().get().meta();
            sessions.restore(recovered.snapshot().get().sessions());
            state.commitIndex = meta.index();
            state.lastApplied = meta.index();
            if (meta.configuration() instanceof Configuration view) { // §13: the restored state's view
                stateMachine.viewChanged(meta.index(), Views.of(view, meta.configurationIndex()));
            }
            if (meta.term() > state.term) { // installed from a leader whose term had not reached the journal yet
                state.term = meta.term();
                state.votedFor = Optional.empty();
                outbox.hardStateChanged();
            }
        }
        state.resetElectionTimer();
        finishStep(state.log.lastIndex());
    }

    /** Processes one input. Never throws for bad input: it is ignored and counted in {@link #counters()}. */
    public void step(Input input) {
        long lastIndexBefore = state.log.lastIndex();
        // By kind, with no default: a new kind of input fails to compile until it is handled here.
        Runnable handler =
                switch (input.kind()) {
                    case TICK -> this::tick;
                    case RECEIVE -> () -> receive((Input.Receive) input);
                    case PERSISTED -> () -> persisted(((Input.Persisted) input).ticket());
                    case SUBMIT -> () -> requests.submit((Input.Submit) input, leaderAcceptsWrites());
                    case SUBMITS ->
                        () -> ((Input.Submits) input)
                                .submits()
                                .forEach(submit -> requests.submit(submit, leaderAcceptsWrites()));
                    case OPEN_SESSION ->
                        () -> requests.openSession(((Input.OpenSession) input).clientId(), leaderAcceptsWrites());
                    case READ -> () -> requests.read((Input.Read) input, snapshots.installing());
                    case TRANSFER_LEADERSHIP -> () -> transferLeadership(((Input.TransferLeadership) input).target());
                    case SEND_MULTICAST -> () -> multicasts.send((Input.SendMulticast) input);
                    case SEND_MULTICASTS ->
                        () -> ((Input.SendMulticasts) input).sends().forEach(multicasts::send);
                    case FLUSH -> () -> multicasts.flush(((Input.Flush) input).flushId());
                    case CHANGE_MEMBERSHIP ->
                        () -> {
                            Input.ChangeMembership change = (Input.ChangeMembership) input;
                            reconfiguration.requestChange(change.requestId(), change.change());
                        };
                    case SNAPSHOT_TAKEN -> () -> snapshots.taken(((Input.SnapshotTaken) input).meta());
                    case SNAPSHOT_FAILED -> () -> snapshots.failed(((Input.SnapshotFailed) input).index());
                    case SNAPSHOT_CHUNK_STORED ->
                        () -> {
                            Input.SnapshotChunkStored stored = (Input.SnapshotChunkStored) input;
                            snapshots.chunkStored(stored.index(), stored.nextOffset());
                        };
                    case SNAPSHOT_INSTALLED -> () -> snapshotInstalled((Input.SnapshotInstalled) input);
                    case LOG_READ -> () -> logRead((Input.LogRead) input);
                };
        handler.run();
        finishStep(lastIndexBefore);
    }

    /** Returns and clears the outputs produced since the last call. */
    public List<Output> drainOutputs() {
        return outbox.drain();
    }

    private void tick() {
        logReads.tick();
        multicasts.tick();
        if (leader == null) {
            election.tick(snapshots.installing());
        } else {
            state.ticksSinceLeaderContact = 0;
            switch (leader.tick()) {
                case STEP_DOWN -> stepDown();
                case ROLL_BACK -> {
                    reconfiguration.rollBack((JointConfiguration) state.configuration());
                    watchMembership();
                }
                case STAY -> watchMembership();
            }
        }
        requests.retryDue(leaderAcceptsWrites());
    }

    /** Dynamic linear voting (PROTOCOL.md §7), on each tick a leader keeps leading. */
    private void watchMembership() {
        leader.trackReturningVoters();
        if (reconfiguration.idle()) {
            leader.dynamicVotingProposal().ifPresent(reconfiguration::propose);
        }
    }

    private void becomeLeader() {
        election.becameLeader();
        leader = new Leader(state, outbox, pending, logReads);
        multicasts.becameLeader();
        if (state.rules.newLeaderAppendsNoOp()) {
            outbox.appendAsLeader(new Entry.NoOp());
        }
        leader.replicateToAll();
        requests.leadershipGained(leaderAcceptsWrites());
    }

    /** Ends a leadership, if any, and follows {@code newLeader} (or none) in {@code newTerm}. */
    private void becomeFollower(long newTerm, Optional<MemberId> newLeader) {
        if (leader != null) {
            reconfiguration.leadershipLost();
            multicasts.leadershipLost();
            leader = null;
            state.role = Role.FOLLOWER;
        }
        election.becomeFollower(newTerm, newLeader);
    }

    /** A leader that lost contact with a quorum, or handed over, steps down (PROTOCOL.md §3 rule 4, §6). */
    private void stepDown() {
        becomeFollower(state.term, Optional.empty());
    }

    /** Whether this member leads and takes new entries: not while it hands leadership over. */
    private boolean leaderAcceptsWrites() {
        return leader != null && !leader.transferring();
    }

    private void transferLeadership(MemberId target) {
        if (leader == null
                || target.equals(state.self)
                || !state.configuration().isVoter(target)) {
            state.counters.increment(Counter.TRANSFER_REFUSED);
            return;
        }
        leader.startTransfer(target);
    }

    private void receive(Input.Receive receive) {
        Message message = receive.message();
        Admission.Verdict verdict = admission.admit(message, receive.incarnation(), receive.authenticated());
        if (verdict == Admission.Verdict.REFUSED) {
            return;
        }
        if (verdict == Admission.Verdict.HEARD_NEW_INCARNATION) {
            election.forget(message.from());
            if (leader != null) {
                leader.reincarnated(message.from());
            }
        }
        if (message instanceof Message.PreVoteRequest request) {
            election.onPreVoteRequest(request);
            return;
        }
        // Client-level requests between members, and multicast beside the log: they never change this member's term.
        if (Admission.isMulticast(message)) {
            multicasts.onMessage(message);
            return;
        }
        if (message instanceof Message.MembershipRequest request) {
            reconfiguration.onRequest(request);
            return;
        }
        if (message instanceof Message.MembershipResponse response) {
            reconfiguration.onResponse(response);
            return;
        }
        // A pre-vote never raises a term, except a refusal naming a later one, which this member adopts.
        if (message instanceof Message.PreVoteResponse response) {
            if (response.granted()) {
                election.onPreVoteGranted(response);
            } else if (response.term() > state.term) {
                becomeFollower(response.term(), Optional.empty());
            }
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
            boolean fromLeader = message instanceof Message.AppendRequest || message instanceof Message.InstallSnapshot;
            becomeFollower(message.term(), fromLeader ? Optional.of(message.from()) : Optional.empty());
        }
        dispatch(message);
    }

    /**
     * A message in this member's current term or an earlier one, past the term rules of {@link #receive}. By kind,
     * with no default: a new kind of message fails to compile until it is handled here.
     */
    private void dispatch(Message message) {
        Runnable handler =
                switch (message.kind()) {
                    case VOTE_REQUEST -> () -> election.onVoteRequest((Message.VoteRequest) message);
                    case VOTE_RESPONSE -> () -> onVoteResponse((Message.VoteResponse) message);
                    case APPEND_REQUEST -> () -> onAppendRequest((Message.AppendRequest) message);
                    case APPEND_RESPONSE ->
                        () -> toLeader(message, l -> l.onAppendResponse((Message.AppendResponse) message));
                    case TIMEOUT_NOW -> () -> election.onTimeoutNow((Message.TimeoutNow) message);
                    case FORWARD_REQUEST ->
                        () -> requests.onForwardRequest((Message.ForwardRequest) message, leaderAcceptsWrites());
                    case READ_INDEX_REQUEST -> () -> onReadIndexRequest((Message.ReadIndexRequest) message);
                    case READ_INDEX_RESPONSE -> () -> requests.onReadIndexResponse((Message.ReadIndexResponse) message);
                    case INSTALL_SNAPSHOT -> () -> onInstallSnapshot((Message.InstallSnapshot) message);
                    case INSTALL_SNAPSHOT_RESPONSE ->
                        () -> toLeader(
                                message, l -> l.onInstallSnapshotResponse((Message.InstallSnapshotResponse) message));
                    // Handled in receive(), before any term is adopted.
                    case PRE_VOTE_REQUEST,
                            PRE_VOTE_RESPONSE,
                            MEMBERSHIP_REQUEST,
                            MEMBERSHIP_RESPONSE,
                            MULTICAST_SEND,
                            MULTICAST_DATA,
                            MULTICAST_ACK,
                            MULTICAST_REPORT_REQUEST ->
                        () -> {
                            throw new IllegalStateException("dispatched twice: " + message.kind());
                        };
                };
        handler.run();
    }

    /** An answer to this leader's appends or chunks: only in its term. */
    private void toLeader(Message message, Consumer<Leader> handle) {
        if (leader != null && message.term() == state.term) {
            handle.accept(leader);
        } else {
            state.counters.increment(Counter.STALE_TERM);
        }
    }

    private void onVoteResponse(Message.VoteResponse response) {
        if (election.onVoteResponse(response)) {
            becomeLeader();
        }
    }

    private void onReadIndexRequest(Message.ReadIndexRequest request) {
        if (leader != null) {
            leader.registerRead(request.from(), request.readId());
        } else {
            state.counters.increment(Counter.NOT_LEADER);
        }
    }

    private void onAppendRequest(Message.AppendRequest request) {
        if (request.term() < state.term) {
            followerAppends.refuseStale(request.from());
        } else {
            election.followLeader(request.from());
            followerAppends.onAppendRequest(request, snapshots.installing());
        }
    }

    private void onInstallSnapshot(Message.InstallSnapshot chunk) {
        if (chunk.term() < state.term) {
            state.counters.increment(Counter.STALE_TERM);
            outbox.send(
                    chunk.from(), new Message.InstallSnapshotResponse(state.self, state.term, chunk.index(), 0, false));
            return;
        }
        election.followLeader(chunk.from());
        snapshots.onChunk(chunk);
    }

    private void persisted(long ticket) {
        List<Output.Send> released = state.durability.persisted(ticket);
        if (released == null) {
            state.counters.increment(Counter.BAD_PERSIST_TICKET);
            return;
        }
        released.forEach(outbox::add);
        if (state.role == Role.CANDIDATE) {
            if (election.maybeWon()) {
                becomeLeader();
            }
        } else if (leader == null) {
            followerAppends.onPersisted(); // a leader's own durable index counts at the end of the step
        }
    }

    /** Entries read back from the journal: the followers waiting for them get them; applying resumes in settle. */
    private void logRead(Input.LogRead read) {
        if (logReads.answered(read) > 0 && leader != null) {
            leader.replicateToAll();
        }
    }

    /** The runtime installed a snapshot received from the leader (PROTOCOL.md §8). */
    private void snapshotInstalled(Input.SnapshotInstalled installed) {
        if (snapshots.installed(installed.meta())) {
            applier.snapshotInstalled(installed.meta(), installed.sessions());
            followerAppends.snapshotInstalled(installed.meta());
        }
    }

    /**
     * What follows from a step, once per step and always in this order (docs/architecture.md, "One step"):
     * <ol>
     *   <li>{@link #settle}: the leader replicates what was appended and commits what a quorum holds; committed
     *       entries are applied; reads whose index was reached are answered; a committed configuration change moves
     *       on (repeated while it appends);
     *   <li>requests forwarded to a leader that is no longer this member's leader are given up;
     *   <li>a snapshot is asked for when due;
     *   <li>the step's log writes and term/vote go out as one persist;
     *   <li>a changed status is reported.
     * </ol>
     * No handler calls another: a handler only changes the state and adds outputs, and this is where the
     * consequences of its changes run.
     */
    private void finishStep(long lastIndexBefore) {
        multicasts.finishStep();
        settle(lastIndexBefore);
        MemberState.check((leader != null) == state.isLeader(), "a Leader exists exactly while the role is LEADER");
        if (!state.leaderId.equals(forwardedTo)) {
            if (forwardedTo.isPresent()) {
                reconfiguration.leaderChanged(); // requests sent to the old leader: outcome unknown
            }
            forwardedTo = state.leaderId;
        }
        snapshots.maybeTake();
        outbox.persistStep();
        outbox.reportStatusIfChanged();
    }

    private void settle(long lastIndexBefore) {
        long replicatedThrough = lastIndexBefore;
        for (; ; ) {
            long commitBefore = state.commitIndex;
            if (leader != null) {
                leader.syncFollowers(); // the configuration may have changed with the log
                if (state.log.lastIndex() > replicatedThrough) {
                    leader.replicateToAll();
                    replicatedThrough = state.log.lastIndex();
                }
                state.raiseCommit(leader.committableIndex());
            }
            applier.applyCommitted(snapshots.installing());
            if (leader != null && state.commitIndex > commitBefore) {
                leader.commitAdvanced();
            }
            List<Long> ownReads = requests.takeReadsForLeader();
            if (leader != null) { // else they wait here and are retried
                ownReads.forEach(readId -> leader.registerRead(state.self, readId));
            }
            requests.completeReadyReads(snapshots.installing());
            if (leader == null || state.commitIndex == commitBefore) {
                return;
            }
            Optional<Configuration> handOver = reconfiguration.commitAdvanced();
            if (handOver.isPresent()) {
                leader.handOver(handOver.get());
                stepDown();
                return;
            }
            // Again: the change may have appended its next entry, and a commit may change the configuration in force.
        }
    }

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

    /**
     * Evicts the oldest durable entries from the log cache until it holds at most {@code maxBytes} of entries, or
     * only entries not yet durable (docs/architecture.md, "The log cache"). The runtime calls it between steps with
     * its share of the node's cache budget; an evicted entry is read back from the journal when it is needed.
     *
     * @return the bytes the cache holds afterwards
     */
    public long evictLogCache(long maxBytes) {
        return state.log.evictDurable(maxBytes, state.durability.durableIndex());
    }

    /**
     * Lets {@code approval}, the application's policy, approve what a non-voter asks beyond adding itself as a learner
     * or leaving (PROTOCOL.md §8, §10); {@link MembershipApproval#NONE} by default. Set it before the first step.
     */
    public void approveMembershipWith(MembershipApproval approval) {
        reconfiguration.approveWith(approval);
    }

    /**
     * Whether this member was removed (PROTOCOL.md §8): it is in no configuration in force, yet a configuration it
     * knows (its start, its snapshot's, or one in its log) named it.
     */
    public boolean removed() {
        return !state.isMember(state.self) && admission.knows(state.self);
    }

    /** The configuration in force: the latest in the log, committed or not (PROTOCOL.md §2). */
    public QuorumSystem configuration() {
        return state.configuration();
    }

    /** This member's status (PROTOCOL.md §9). */
    public MemberStatus status() {
        return state.status();
    }

    /** The incarnation last heard from {@code id} (this member's own for itself), or -1 if none yet. */
    public long incarnationOf(MemberId id) {
        return state.incarnationOf(id);
    }

    /** While this member leads: each follower's health, in member order; otherwise empty. */
    public List<FollowerHealth> followerHealth() {
        return leader == null ? List.of() : leader.health();
    }

    /** Counters of ignored and refused input, and of changes rolled back. */
    public ProtocolCounters counters() {
        return state.counters;
    }
}
