package dev.echo.core;

import java.util.List;
import java.util.Objects;

/**
 * A multicast view (PROTOCOL.md §13): the members that exchange {@link ReplicatedGroup#multicast multicasts} until the
 * next view, in rank order. Every member installs the same views in the same order, with the same epoch, among the
 * group's committed commands. Immutable.
 *
 * <p>Its members are the group's members that take part right now: a member that crashed, fell behind or did not
 * answer in time is left out and comes back in a later view. Use {@link #rankOf} to split work: with k members,
 * member i takes the i-th part.
 *
 * @param epoch the view's identity: the log index of the cut that installed it, the same at every member
 * @param members the view's members in rank order: the group's voters in their order, then learners by id
 * @param participating whether this member takes part in the view; if not, it multicasts and delivers nothing until a
 *     later view lets it in (it asks the leader by itself)
 */
public record MulticastView(long epoch, List<MemberId> members, boolean participating) {
    /** Freezes the list. */
    public MulticastView {
        members = List.copyOf(Objects.requireNonNull(members, "members"));
    }

    /** {@code member}'s rank, 0 to {@link #size()} - 1, or -1 if it is not in this view. */
    public int rankOf(MemberId member) {
        return members.indexOf(member);
    }

    /** The number of members, k. */
    public int size() {
        return members.size();
    }
}
