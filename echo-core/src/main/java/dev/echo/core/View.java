package dev.echo.core;

import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A group's membership as a member sees it: the voters in rank order (the first breaks ties), their weights, the
 * learners, the voters that dynamic voting suspended, and the epoch (the log index of the configuration; 0 for the
 * initial one). Immutable.
 *
 * @param voters voting members in rank order, with weights
 * @param learners non-voting members that receive the committed stream (suspended voters among them)
 * @param suspended configured voters that dynamic voting removed while they were silent, with the weight they get
 *     back when re-admitted (PROTOCOL.md §7)
 * @param epoch the log index at which this configuration took effect, 0 for the initial configuration
 */
public record View(List<Member> voters, SortedSet<MemberId> learners, List<Member> suspended, long epoch) {
    /**
     * A voter as the application sees it. Its rank is its place in {@link View#voters()}: the first breaks ties
     * (PROTOCOL.md §2). Immutable.
     *
     * @param id the member
     * @param weight its voting weight, at least 1
     */
    public record Member(MemberId id, int weight) {
        /** Validates the member. */
        public Member {
            Objects.requireNonNull(id, "id");
            if (weight < 1) {
                throw new IllegalArgumentException("weight must be at least 1: " + weight);
            }
        }
    }

    /** Freezes the lists. */
    public View {
        voters = List.copyOf(voters);
        suspended = List.copyOf(suspended);
        learners = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(learners)));
    }

    /** Whether {@code member} belongs to the group (voter, suspended voter or learner). */
    public boolean contains(MemberId member) {
        return learners.contains(member) || voters.stream().anyMatch(v -> v.id().equals(member));
    }

    /** {@code member}'s rank among the voters, 0 for the top; -1 if it is not a voter. */
    public int rankOf(MemberId member) {
        for (int rank = 0; rank < voters.size(); rank++) {
            if (voters.get(rank).id().equals(member)) {
                return rank;
            }
        }
        return -1;
    }
}
