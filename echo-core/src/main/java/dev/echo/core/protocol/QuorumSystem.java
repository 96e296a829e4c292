package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * The configuration in force for a group: a single {@link Configuration}, or a {@link JointConfiguration} during a
 * change of voters (PROTOCOL.md §2, §3). Immutable values; they live in the log.
 */
public sealed interface QuorumSystem permits Configuration, JointConfiguration {
    /** Whether the members for which {@code inSet} holds form a quorum of every configuration in force. */
    boolean isQuorum(Predicate<MemberId> inSet);

    /** Whether {@code id} votes in any configuration in force. */
    boolean isVoter(MemberId id);

    /** Every member that receives the log (voters and learners of every configuration in force), sorted. */
    SortedSet<MemberId> members();
}
