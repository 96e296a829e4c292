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
        if (voters.isEmpty()) {
            return false;
        }
        long total = 0;
        long held = 0;
        for (Voter voter : voters) {
            total += voter.weight();
            if (inSet.test(voter.id())) {
                held += voter.weight();
            }
        }
        return 2 * held > total
                || (2 * held == total && inSet.test(voters.get(0).id()));
    }
}
