package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * The configuration in force for a group: a single {@link Configuration}, or a {@link JointConfiguration} during a
 * change of voters (PROTOCOL.md §2, §3). Immutable values; they live in the log.
 */
public sealed interface QuorumSystem permits Configuration, JointConfiguration {
    /**
     * A test of one voter of one configuration, given the incarnation that configuration records for it (PROTOCOL.md
     * §5): a vote or acknowledgement counts only if it came from that incarnation.
     */
    @FunctionalInterface
    interface VoterTest {
        /** Whether voter {@code id}, recorded at {@code incarnation}, is in the set. */
        boolean test(MemberId id, long incarnation);
    }

    /**
     * Whether the voters for which {@code inSet} holds form a quorum of every configuration in force, each voter asked
     * with the incarnation that configuration records for it.
     */
    boolean isQuorumOf(VoterTest inSet);

    /**
     * Whether the members for which {@code inSet} holds form a quorum of every configuration in force, whatever their
     * incarnations (for callers that have checked incarnations themselves, or do not track them).
     */
    default boolean isQuorum(Predicate<MemberId> inSet) {
        return isQuorumOf((id, incarnation) -> inSet.test(id));
    }

    /** Whether {@code id} votes in any configuration in force. */
    boolean isVoter(MemberId id);

    /** Whether {@code id} votes, recorded at {@code incarnation}, in any configuration in force. */
    boolean isVoterAs(MemberId id, long incarnation);

    /** Every member that receives the log (voters and learners of every configuration in force), sorted. */
    SortedSet<MemberId> members();
}
