package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A configuration (PROTOCOL.md §2): an ordered list of weighted voters, the first being top (the tie-breaker), plus
 * non-voting learners. Immutable and thread-safe.
 *
 * @param voters the voters in rank order; at least one, no duplicates
 * @param learners members that receive the log but never vote; disjoint from the voters
 */
public record Configuration(List<Voter> voters, SortedSet<MemberId> learners) implements QuorumSystem {
    /** Largest number of members (voters and learners) in one configuration. */
    public static final int MAX_MEMBERS = 64;

    /** Validates and freezes the lists. */
    public Configuration {
        voters = List.copyOf(Objects.requireNonNull(voters, "voters"));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(learners, "learners")));
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        if (voters.size() + learners.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("a configuration has at most " + MAX_MEMBERS + " members");
        }
        SortedSet<MemberId> seen = new TreeSet<>();
        for (Voter voter : voters) {
            if (!seen.add(voter.id())) {
                throw new IllegalArgumentException("duplicate voter " + voter.id());
            }
            if (learners.contains(voter.id())) {
                throw new IllegalArgumentException(voter.id() + " cannot be both voter and learner");
            }
        }
    }

    /** A configuration of voters only. */
    public static Configuration ofVoters(List<Voter> voters) {
        return new Configuration(voters, new TreeSet<>());
    }

    /** The top-ranked voter, which wins ties. */
    public MemberId top() {
        return voters.get(0).id();
    }

    /** Total voter weight W. */
    public long totalWeight() {
        long total = 0;
        for (Voter voter : voters) {
            total += voter.weight();
        }
        return total;
    }

    /** The weight of {@code id}, 0 for learners and strangers. */
    public int weightOf(MemberId id) {
        for (Voter voter : voters) {
            if (voter.id().equals(id)) {
                return voter.weight();
            }
        }
        return 0;
    }

    @Override
    public boolean isQuorum(Predicate<MemberId> inSet) {
        return Quorums.isQuorum(voters, inSet);
    }

    @Override
    public boolean isVoter(MemberId id) {
        return weightOf(id) > 0;
    }

    @Override
    public SortedSet<MemberId> members() {
        SortedSet<MemberId> all = new TreeSet<>(learners);
        for (Voter voter : voters) {
            all.add(voter.id());
        }
        return Collections.unmodifiableSortedSet(all);
    }
}
