package dev.echo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A group's membership as a member sees it: the voters in rank order (the first breaks ties), their weights, the
 * learners, the voters that dynamic voting suspended, and the epoch (the log index of the configuration; 0 for the
 * initial one). Each member has a rank (see {@link #members()}). Immutable.
 *
 * @param voters voting members in rank order, with weights
 * @param learners non-voting members that receive the committed stream (suspended voters among them)
 * @param suspended configured voters that dynamic voting removed while they were silent, with the weight they get
 *     back when re-admitted (PROTOCOL.md §7)
 * @param epoch the log index at which this configuration took effect, 0 for the initial configuration
 * @param addresses where members can be reached, for those whose address the configuration records (PROTOCOL.md
 *     §8); every key is a member
 */
public record View(
        List<Member> voters,
        SortedSet<MemberId> learners,
        List<Member> suspended,
        long epoch,
        SortedMap<MemberId, MemberAddress> addresses) {
    /**
     * A voter as the application sees it. Its rank is its place in {@link View#voters()}: the first breaks ties
     * (PROTOCOL.md §2). Immutable.
     *
     * @param id the member
     * @param weight its voting weight, at least 1
     */
    public record Member(MemberId id, int weight) {
        /** Largest accepted weight; keeps every total weight far from overflow. */
        public static final int MAX_WEIGHT = 1 << 16;

        /** Validates the member. */
        public Member {
            Objects.requireNonNull(id, "id");
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("weight of " + id + " must be in 1.." + MAX_WEIGHT + ": " + weight);
            }
        }
    }

    /** Freezes the lists; a member votes at most once, a voter is not also a learner, addresses are members'. */
    public View {
        voters = List.copyOf(voters);
        suspended = List.copyOf(suspended);
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(learners)));
        Set<MemberId> seen = new HashSet<>();
        for (Member voter : voters) {
            if (!seen.add(voter.id())) {
                throw new IllegalArgumentException(voter.id() + " is listed twice among the voters");
            }
            if (learners.contains(voter.id())) {
                throw new IllegalArgumentException(voter.id() + " cannot be both a voter and a learner");
            }
        }
        addresses = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(addresses, "addresses")));
        for (MemberId addressed : addresses.keySet()) {
            if (!seen.contains(addressed) && !learners.contains(addressed)) {
                throw new IllegalArgumentException("address given for " + addressed + ", which is not a member");
            }
        }
    }

    /** A view that records no addresses. */
    public View(List<Member> voters, SortedSet<MemberId> learners, List<Member> suspended, long epoch) {
        this(voters, learners, suspended, epoch, new TreeMap<>());
    }

    /** Where {@code member} can be reached, if the configuration records it. */
    public Optional<MemberAddress> addressOf(MemberId member) {
        return Optional.ofNullable(addresses.get(member));
    }

    /** Whether {@code member} belongs to the group (voter, suspended voter or learner). */
    public boolean contains(MemberId member) {
        return learners.contains(member) || voters.stream().anyMatch(v -> v.id().equals(member));
    }

    /**
     * Every member in rank order: the voters in their order (the first breaks ties, PROTOCOL.md §2), then the
     * learners (suspended voters among them) in the order of their ids. Every member computes the same list from the
     * same view, so ranks can split work among members ("member i of k takes the i-th part").
     */
    public List<MemberId> members() {
        List<MemberId> ranked = new ArrayList<>(voters.size() + learners.size());
        for (Member voter : voters) {
            ranked.add(voter.id());
        }
        ranked.addAll(learners);
        return ranked;
    }

    /** The number of members, k: ranks run from 0 to k - 1. */
    public int size() {
        return voters.size() + learners.size();
    }

    /**
     * {@code member}'s rank in {@link #members()}, from 0 (the top voter) to {@link #size()} - 1; -1 if it is not a
     * member. A voter's rank is its place among the voters; learners rank after every voter.
     */
    public int rankOf(MemberId member) {
        for (int rank = 0; rank < voters.size(); rank++) {
            if (voters.get(rank).id().equals(member)) {
                return rank;
            }
        }
        return learners.contains(member)
                ? voters.size() + learners.headSet(member).size()
                : -1;
    }

    /** Whether {@code member} votes in this view (suspended voters do not, until re-admitted). */
    public boolean isVoter(MemberId member) {
        return voters.stream().anyMatch(v -> v.id().equals(member));
    }
}
