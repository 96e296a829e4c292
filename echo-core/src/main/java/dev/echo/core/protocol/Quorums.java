package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.List;
import java.util.function.Predicate;

/**
 * Weighted quorum math with the linear tie-breaker (PROTOCOL.md §2), as pure functions.
 *
 * <p>A set Q of voters is a quorum iff {@code 2·w(Q) > W}, or {@code 2·w(Q) == W} and Q holds the top-ranked
 * (first) voter. For every split of the voters exactly one side is a quorum, so any two quorums intersect.
 */
public final class Quorums {
    private Quorums() {}

    /**
     * Whether the voters for which {@code inSet} holds form a quorum of {@code voters}.
     *
     * @param voters the ordered voter list; the first one is top
     * @param inSet membership test of the candidate set
     */
    public static boolean isQuorum(List<Voter> voters, Predicate<MemberId> inSet) {
        return isQuorumOf(voters, (id, incarnation) -> inSet.test(id));
    }

    /**
     * Whether the voters for which {@code inSet} holds, asked with the incarnation each voter is recorded at, form a
     * quorum of {@code voters}.
     *
     * @param voters the ordered voter list; the first one is top
     * @param inSet membership test of the candidate set
     */
    public static boolean isQuorumOf(List<Voter> voters, QuorumSystem.VoterTest inSet) {
        if (voters.isEmpty()) {
            return false;
        }
        long total = 0;
        long held = 0;
        boolean topHeld = false;
        for (int i = 0; i < voters.size(); i++) {
            Voter voter = voters.get(i);
            total += voter.weight();
            if (inSet.test(voter.id(), voter.incarnation())) {
                held += voter.weight();
                topHeld |= i == 0;
            }
        }
        return 2 * held > total || (2 * held == total && topHeld);
    }
}
