package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** PROTOCOL.md §2: weighted quorums with the linear tie-breaker, against a brute-force oracle over all subsets. */
class QuorumsProperties {

    @Property
    void matchesTheDefinitionOnEverySubset(
            @ForAll @Size(min = 1, max = 7) List<@IntRange(min = 1, max = 5) Integer> weights) {
        List<Voter> voters = voters(weights);
        long total = weights.stream().mapToLong(Integer::longValue).sum();
        for (int mask = 0; mask < 1 << voters.size(); mask++) {
            long held = 0;
            for (int i = 0; i < voters.size(); i++) {
                if ((mask & (1 << i)) != 0) {
                    held += weights.get(i);
                }
            }
            boolean oracle = 2 * held > total || (2 * held == total && (mask & 1) != 0);
            assertEquals(oracle, Quorums.isQuorum(voters, inMask(voters, mask)), "mask " + mask);
        }
    }

    @Property
    void exactlyOneSideOfEverySplitIsAQuorum(
            @ForAll @Size(min = 1, max = 7) List<@IntRange(min = 1, max = 5) Integer> weights) {
        List<Voter> voters = voters(weights);
        int all = (1 << voters.size()) - 1;
        for (int mask = 0; mask <= all; mask++) {
            assertNotEquals(
                    Quorums.isQuorum(voters, inMask(voters, mask)),
                    Quorums.isQuorum(voters, inMask(voters, all & ~mask)),
                    "split " + mask);
        }
    }

    @Property
    void everyTwoQuorumsIntersect(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 5) Integer> weights) {
        List<Voter> voters = voters(weights);
        int n = 1 << voters.size();
        for (int a = 0; a < n; a++) {
            if (!Quorums.isQuorum(voters, inMask(voters, a))) {
                continue;
            }
            for (int b = 0; b < n; b++) {
                if (Quorums.isQuorum(voters, inMask(voters, b))) {
                    assertTrue((a & b) != 0, "disjoint quorums " + a + " and " + b);
                }
            }
        }
    }

    @Property
    void jointQuorumNeedsBothHalves(
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 3) Integer> oldWeights,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 3) Integer> newWeights) {
        Configuration old = Configuration.ofVoters(voters(oldWeights));
        List<Voter> shifted = new ArrayList<>();
        for (int i = 0; i < newWeights.size(); i++) {
            shifted.add(Voter.of("m" + (i + 2), newWeights.get(i))); // overlaps old from m2 on
        }
        Configuration next = Configuration.ofVoters(shifted);
        JointConfiguration joint = new JointConfiguration(old, next);
        int n = 1 << 6;
        for (int mask = 0; mask < n; mask++) {
            int m = mask;
            java.util.function.Predicate<MemberId> in =
                    id -> (m & (1 << (Integer.parseInt(id.value().substring(1)) - 1))) != 0;
            assertEquals(old.isQuorum(in) && next.isQuorum(in), joint.isQuorum(in));
        }
    }

    private static List<Voter> voters(List<Integer> weights) {
        List<Voter> voters = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            voters.add(Voter.of("m" + (i + 1), weights.get(i)));
        }
        return voters;
    }

    private static java.util.function.Predicate<MemberId> inMask(List<Voter> voters, int mask) {
        return id -> {
            for (int i = 0; i < voters.size(); i++) {
                if (voters.get(i).id().equals(id)) {
                    return (mask & (1 << i)) != 0;
                }
            }
            return false;
        };
    }
}
