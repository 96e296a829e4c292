package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * Everything one member knows: term, vote, role, leader, commit and apply points, the incarnations it heard, its log
 * and the durability of that log. The handlers of {@link GroupProtocol} read and change it; they share it, and nothing
 * else, with each other. Fields are package-private on purpose: this is the member's record, as in etcd's {@code raft}
 * struct, and every rule about changing it lives in the handler of that concern.
 *
 * <p>Threading: not thread-safe; owned by one {@link GroupProtocol}, so by the thread that steps it.
 */
final class MemberState {
    final MemberId self;
    /** This member's incarnation: the life of its disk (PROTOCOL.md §5). */
    final long selfIncarnation;

    final ProtocolOptions options;
    /** {@link SafetyRules#STRICT} except in the testkit's mutants. */
    final SafetyRules rules;
    /** The configuration this member was started with: its members are never strangers to it (PROTOCOL.md §10). */
    final QuorumSystem startConfiguration;

    final ReplicationLog log;
    final Durability durability;
    final ProtocolCounters counters = new ProtocolCounters();
    final DeterministicRandom random;
    /**
     * The latest incarnation heard from each other member. Messages from an earlier one are dropped: that life's disk
     * is gone. Its votes and acknowledgements count only where a configuration records that incarnation. Looked up for
     * every message and never iterated, so a hash map: no order of it can reach a decision.
     */
    final HashMap<MemberId, Long> incarnations = new HashMap<>();

    Role role = Role.FOLLOWER;
    /** Its journal reported damage (PROTOCOL.md §5): no vote, no campaign, no ack until its leader repairs it. */
    boolean storageFaulted;

    long term;
    Optional<MemberId> votedFor;
    Optional<MemberId> leaderId = Optional.empty();

    long commitIndex;
    long lastApplied;
    int electionElapsed;
    int electionTimeout;
    /** Ticks since a live leader was last heard (or, at the leader, 0): the lease of PROTOCOL.md §6. */
    long ticksSinceLeaderContact = Long.MAX_VALUE / 2;

    // Follower bookkeeping for the current leader and term.
    /** Highest index known to match the leader's log in this term. */
    long verifiedIndex;
    /** Highest match index acknowledged to the leader. */
    long lastAckedMatch;
    /** An acknowledgement waits for entries to become durable. */
    boolean ackPending;
    /** Highest read round heard from the leader (PROTOCOL.md §9), echoed in acknowledgements. */
    long readRoundSeen;

    /** The configuration {@link #members} was computed for; recomputed only when the log's configuration changes. */
    private QuorumSystem membersOf;
    /** The configuration's members, in order, for those who walk them. */
    private SortedSet<MemberId> members;
    /** The same members for {@link #isMember}, asked on every message: a hash lookup, never iterated. */
    private Set<MemberId> memberLookup;

    MemberState(
            MemberId self,
            long selfIncarnation,
            QuorumSystem startConfiguration,
            ProtocolOptions options,
            SafetyRules rules,
            ReplicationLog log,
            HardState hardState,
            long seed) {
        this.self = self;
        this.selfIncarnation = selfIncarnation;
        this.startConfiguration = startConfiguration;
        this.options = options;
        this.rules = rules;
        this.log = log;
        this.durability = new Durability(log.lastIndex());
        this.random = new DeterministicRandom(seed);
        this.term = hardState.term();
        this.votedFor = hardState.votedFor();
    }

    /** The configuration in force: the latest in the log, committed or not (PROTOCOL.md §2). */
    QuorumSystem configuration() {
        if (!rules.configurationInForceWhenAppended()) {
            return log.configurationAt(Math.max(log.snapshotIndex(), Math.min(commitIndex, log.lastIndex())));
        }
        return log.configuration();
    }

    /** The members of the configuration in force. */
    SortedSet<MemberId> members() {
        QuorumSystem current = configuration();
        if (current != membersOf) {
            membersOf = current;
            members = current.members();
            memberLookup = Set.copyOf(members);
        }
        return members;
    }

    /** Whether {@code id} is a member of the configuration in force. */
    boolean isMember(MemberId id) {
        members();
        return memberLookup.contains(id);
    }

    boolean isLeader() {
        return role == Role.LEADER;
    }

    /** The incarnation last heard from {@code id} (this member's own for itself), or -1 if none yet. */
    long incarnationOf(MemberId id) {
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
        return incarnationOf(id) == recorded || !rules.countOnlyRecordedIncarnations();
    }

    /** Whether an entry of this member's own term is committed (a leader's no-op): a precondition of config changes. */
    boolean ownTermCommitted() {
        return commitIndex > 0 && log.termAt(commitIndex) == term;
    }

    /** Whether a leader was heard within the minimum election timeout: the lease of PROTOCOL.md §6. */
    boolean inLeaderLease() {
        return ticksSinceLeaderContact < options.electionTimeoutMinTicks() && rules.leaseBlocksVotes();
    }

    /** Raft's up-to-date check: a candidate's log at least as long, in term then index, as this member's. */
    boolean candidateLogUpToDate(long lastLogIndex, long lastLogTerm) {
        return lastLogTerm > log.lastTerm() || (lastLogTerm == log.lastTerm() && lastLogIndex >= log.lastIndex());
    }

    boolean logStrictlyAhead(long lastLogIndex, long lastLogTerm) {
        return lastLogTerm > log.lastTerm() || (lastLogTerm == log.lastTerm() && lastLogIndex > log.lastIndex());
    }

    /**
     * Raises the commit index to {@code index}, never lowering it (invariant §11.8); what becomes committed is applied
     * at the end of the step.
     */
    void raiseCommit(long index) {
        check(index <= log.lastIndex(), "§11.8: commit %d beyond last index %d", index, log.lastIndex());
        commitIndex = Math.max(commitIndex, index);
    }

    /** Whether this member holds the log up to {@code index} (with {@code term} there) durably. */
    boolean holdsDurably(long index, long snapshotTerm) {
        if (index <= log.snapshotIndex()) {
            return true; // in our own snapshot, which is durable
        }
        return index <= commitIndex && index <= durability.durableIndex() && log.matches(index, snapshotTerm);
    }

    /** The snapshot the log starts after, for sending; the log must have one. */
    SnapshotMeta snapshotMeta() {
        return log.base();
    }

    void resetElectionTimer() {
        electionElapsed = 0;
        electionTimeout = options.electionTimeoutMinTicks()
                + random.nextInt(options.electionTimeoutMaxTicks() - options.electionTimeoutMinTicks());
    }

    /** This member's status (PROTOCOL.md §9). */
    MemberStatus status() {
        if (role == Role.LEADER) {
            return MemberStatus.LEADER;
        }
        if (storageFaulted) {
            return MemberStatus.STORAGE_FAULTED;
        }
        if (!isMember(self)) {
            return MemberStatus.NOT_MEMBER;
        }
        return role == Role.FOLLOWER && leaderId.isPresent() ? MemberStatus.FOLLOWER : MemberStatus.NO_QUORUM;
    }

    /** Fails loudly when a rule the handlers rely on does not hold: the state can no longer be trusted. */
    static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("protocol invariant violated: " + invariant);
        }
    }

    /**
     * {@link #check(boolean, String)} with the values the message names ({@code %d} in {@code invariant}): the
     * message is built only on failure, so that a check on every commit or acknowledgement allocates nothing.
     */
    static void check(boolean condition, String invariant, long value) {
        if (!condition) {
            check(false, String.format(Locale.ROOT, invariant, value));
        }
    }

    /** {@link #check(boolean, String, long)} with two values. */
    static void check(boolean condition, String invariant, long first, long second) {
        if (!condition) {
            check(false, String.format(Locale.ROOT, invariant, first, second));
        }
    }
}
