package dev.echo.core;

import dev.echo.core.protocol.Voter;
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
public record View(List<Voter> voters, SortedSet<MemberId> learners, List<Voter> suspended, long epoch) {
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
}
