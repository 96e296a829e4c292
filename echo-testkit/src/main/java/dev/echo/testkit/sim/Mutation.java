package dev.echo.testkit.sim;

import dev.echo.core.protocol.SafetyRules;
import java.util.EnumSet;
import java.util.Set;

/**
 * Deliberate protocol bugs, each breaking one of the core's {@link SafetyRules}, so the simulator's own tests can
 * prove that its checks catch them (ARCHITECTURE.md, Testing pyramid). Only the testkit builds them: a member outside
 * it always runs {@link SafetyRules#STRICT}.
 */
public enum Mutation {
    /** Commit an earlier-term entry by counting replicas (Raft Figure 8; PROTOCOL.md §4.3). */
    COMMIT_OLD_TERM_BY_COUNTING,
    /** Acknowledge appended entries before they are durable (PROTOCOL.md §5). */
    ACK_BEFORE_FSYNC,
    /** Grant (pre-)votes while a leader is live (PROTOCOL.md §6). */
    VOTE_WHILE_LEADER_LIVE,
    /** A new leader appends no no-op and serves reads before committing in its term (PROTOCOL.md §6). */
    SKIP_NOOP,
    /** Truncate the log after every Append's last entry, conflict or not (PROTOCOL.md §4). */
    TRUNCATE_ON_SHORTER_APPEND,
    /** Apply a voting change in one entry, without a joint configuration (PROTOCOL.md §3: naive dynamic voting). */
    SKIP_JOINT_CONSENSUS,
    /**
     * Put each configuration entry in force only once this member knows it committed, instead of as soon as it is in
     * the log (PROTOCOL.md §2, §3: "switching at commit or apply time does not fix it either"): members learn of a
     * commit at different times, so a follower still on C_old can win an election while the leader is on J or C_new.
     */
    SWITCH_AT_COMMIT,
    /**
     * Also win an election by a head count of granted votes from whoever answered, members or not, ignoring weights
     * and the tie-breaker (PROTOCOL.md §2, §11.14).
     */
    COUNT_ANY_VOTES,
    /** Discard the log prefix as soon as a snapshot is asked for, before it is durable (PROTOCOL.md §5). */
    COMPACT_BEFORE_SNAPSHOT_DURABLE,
    /**
     * Count votes and acknowledgements from any incarnation of a voter, so a member whose disk was wiped votes and
     * acknowledges as its old self (PROTOCOL.md §5).
     */
    IGNORE_INCARNATIONS,
    /**
     * Hear strangers as members: a peer in no configuration this member knows may vote, campaign, hand over and lead
     * (PROTOCOL.md §10), so a forged frame from outside the group can change durable state.
     */
    TRUST_STRANGERS,
    /** Deliver multicasts as they arrive, not in the sequencer's order (PROTOCOL.md §13: total order). */
    DELIVER_MULTICASTS_ON_ARRIVAL,
    /** The sequencer takes a sender's multicasts in whatever order they arrive (PROTOCOL.md §13: FIFO order). */
    ORDER_SENDERS_AS_THEY_ARRIVE,
    /** A cut carries no tail: continuing participants keep only what they hold (PROTOCOL.md §13: same set). */
    CUT_WITHOUT_TAIL,
    /** Install the next view first, then deliver the ended view's tail in it (PROTOCOL.md §13: deliver in view). */
    INSTALL_BEFORE_CUT,
    /**
     * Keep delivering the old sequencer's multicasts after reporting to a new leader, past what the report said
     * (PROTOCOL.md §13: same set).
     */
    DELIVER_AFTER_REPORT;

    /** The safety rules with every one of {@code bugs} broken and every other rule kept. */
    public static SafetyRules rulesBreaking(Set<Mutation> bugs) {
        if (bugs.isEmpty()) {
            return SafetyRules.STRICT;
        }
        EnumSet<Mutation> broken = EnumSet.copyOf(bugs);
        return new SafetyRules() {
            @Override
            public boolean commitOnlyOwnTermByCounting() {
                return !broken.contains(COMMIT_OLD_TERM_BY_COUNTING);
            }

            @Override
            public boolean acknowledgeOnlyDurable() {
                return !broken.contains(ACK_BEFORE_FSYNC);
            }

            @Override
            public boolean leaseBlocksVotes() {
                return !broken.contains(VOTE_WHILE_LEADER_LIVE);
            }

            @Override
            public boolean newLeaderAppendsNoOp() {
                return !broken.contains(SKIP_NOOP);
            }

            @Override
            public boolean truncateOnlyAtConflict() {
                return !broken.contains(TRUNCATE_ON_SHORTER_APPEND);
            }

            @Override
            public boolean jointConsensusForVotingChanges() {
                return !broken.contains(SKIP_JOINT_CONSENSUS);
            }

            @Override
            public boolean configurationInForceWhenAppended() {
                return !broken.contains(SWITCH_AT_COMMIT);
            }

            @Override
            public boolean electByQuorumOnly() {
                return !broken.contains(COUNT_ANY_VOTES);
            }

            @Override
            public boolean compactOnlyAfterDurableSnapshot() {
                return !broken.contains(COMPACT_BEFORE_SNAPSHOT_DURABLE);
            }

            @Override
            public boolean countOnlyRecordedIncarnations() {
                return !broken.contains(IGNORE_INCARNATIONS);
            }

            @Override
            public boolean holdStrangersToTheirRule() {
                return !broken.contains(TRUST_STRANGERS);
            }

            @Override
            public boolean deliverMulticastsInOrder() {
                return !broken.contains(DELIVER_MULTICASTS_ON_ARRIVAL);
            }

            @Override
            public boolean orderEachSenderInItsOrder() {
                return !broken.contains(ORDER_SENDERS_AS_THEY_ARRIVE);
            }

            @Override
            public boolean cutCarriesTail() {
                return !broken.contains(CUT_WITHOUT_TAIL);
            }

            @Override
            public boolean deliverCutBeforeNextView() {
                return !broken.contains(INSTALL_BEFORE_CUT);
            }

            @Override
            public boolean freezeOnReport() {
                return !broken.contains(DELIVER_AFTER_REPORT);
            }
        };
    }
}
