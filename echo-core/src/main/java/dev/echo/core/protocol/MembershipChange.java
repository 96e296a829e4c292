package dev.echo.core.protocol;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An edit of the group's membership, as an application asks for it at any member (PROTOCOL.md §3, §8): the one way
 * the membership changes on request. It travels to the leader, which applies it to the configuration it knows to be
 * the latest: an edit, unlike a whole target configuration, stays meaningful when the asking member's view is stale.
 * Several edits made {@link Together} take effect in one joint change. Immutable.
 */
public sealed interface MembershipChange {
    /** The configuration after this edit; throws {@link IllegalArgumentException} if the edit cannot be made. */
    Configuration applyTo(Configuration current);

    /** Whether this edit is a stranger's own request to join as a learner or to leave (§10). */
    default boolean onlyAbout(MemberId member) {
        return false;
    }

    /** One edit about one member. */
    sealed interface Single extends MembershipChange {
        /** The member the edit is about. */
        MemberId member();
    }

    /**
     * Add {@code member} as a voter of {@code weight} at the lowest rank, or re-weight it.
     *
     * @param member the member
     * @param weight its weight, 1..{@link Voter#MAX_WEIGHT}
     */
    record AddVoter(MemberId member, int weight) implements Single {
        /** Validates the weight. */
        public AddVoter {
            new Voter(member, weight); // same rules as a voter
        }

        @Override
        public Configuration applyTo(Configuration current) {
            return current.withVoter(member, weight);
        }
    }

    /**
     * Add {@code member} as a learner, or demote a voter to one. With an address, this is a machine joining (PROTOCOL.md
     * §8): the address is recorded so that every member's transport can reach it, and the edit never demotes. A
     * member already there at the same endpoints is left as it is, metadata included, so a retried join (or a replace
     * naming the machine by its endpoint only) changes nothing; an id in use at other endpoints is refused, since two
     * machines cannot share one identity.
     *
     * @param member the member
     * @param address where the member can be reached, if the edit records it
     */
    record AddLearner(MemberId member, Optional<MemberAddress> address) implements Single {
        /** Requires a member. */
        public AddLearner {
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(address, "address");
        }

        /** Add {@code member} as a learner, or demote a voter to one, recording no address. */
        public AddLearner(MemberId member) {
            this(member, Optional.empty());
        }

        @Override
        public Configuration applyTo(Configuration current) {
            if (address.isEmpty()) {
                return current.withLearner(member);
            }
            Optional<MemberAddress> recorded = current.addressOf(member);
            if (recorded.isPresent()
                    && !recorded.get().endpoints().equals(address.get().endpoints())) {
                throw new IllegalArgumentException(member + " is in use at " + recorded.get());
            }
            if (current.members().contains(member)) {
                if (recorded.isEmpty()) {
                    return current.withAddress(member, address.get()); // a member's address learnt
                }
                return current; // already joined: a retry
            }
            return current.withLearner(member).withAddress(member, address.get());
        }

        @Override
        public boolean onlyAbout(MemberId asker) {
            return member.equals(asker);
        }
    }

    /**
     * Remove {@code member} from the group (the leave of PROTOCOL.md §8 when a member asks it for itself).
     *
     * @param member the member
     */
    record Remove(MemberId member) implements Single {
        /** Requires a member. */
        public Remove {
            Objects.requireNonNull(member, "member");
        }

        @Override
        public Configuration applyTo(Configuration current) {
            if (!current.members().contains(member)) {
                throw new IllegalArgumentException(member + " is not a member");
            }
            return current.without(member);
        }

        @Override
        public boolean onlyAbout(MemberId asker) {
            return member.equals(asker);
        }
    }

    /**
     * Put learner {@code member} in voter {@code replaced}'s place: same rank, same weight, in the nominal list as in
     * the voters (PROTOCOL.md §8, replace). {@code replaced} leaves the group. A dead voter is the usual case; one
     * that dynamic voting suspended is replaced too, and its replacement votes at once, since only a member that has
     * caught up may become a voter.
     *
     * @param member the learner that takes the place
     * @param replaced the voter (active or suspended) that leaves
     */
    record Replace(MemberId member, MemberId replaced) implements Single {
        /** Requires two different members. */
        public Replace {
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(replaced, "replaced");
            if (member.equals(replaced)) {
                throw new IllegalArgumentException("a member cannot replace itself: " + member);
            }
        }

        @Override
        public Configuration applyTo(Configuration current) {
            if (!current.members().contains(replaced) && current.incarnationOf(member) >= 0) {
                return current; // replaced already: a retry
            }
            return current.replacing(replaced, member);
        }
    }

    /**
     * Move voter {@code member} to the top rank.
     *
     * @param member the member
     */
    record MakeTop(MemberId member) implements Single {
        /** Requires a member. */
        public MakeTop {
            Objects.requireNonNull(member, "member");
        }

        @Override
        public Configuration applyTo(Configuration current) {
            if (current.nominal().stream().noneMatch(v -> v.id().equals(member))) {
                throw new IllegalArgumentException(member + " is not a voter");
            }
            return current.withTop(member);
        }
    }

    /**
     * Several single edits applied in order, taking effect together in one joint change (PROTOCOL.md §3): swapping a
     * dead voter for a new machine, or shrinking a group by several voters, without an intermediate configuration
     * whose quorum the application never chose.
     *
     * @param edits 1..{@link #MAX_EDITS} single edits
     */
    record Together(List<Single> edits) implements MembershipChange {
        /** Most edits in one change; bounds the message that carries it. */
        public static final int MAX_EDITS = 64;

        /** Copies and bounds the edits. */
        public Together {
            edits = List.copyOf(edits);
            if (edits.isEmpty() || edits.size() > MAX_EDITS) {
                throw new IllegalArgumentException("a change holds 1.." + MAX_EDITS + " edits: " + edits.size());
            }
        }

        @Override
        public Configuration applyTo(Configuration current) {
            Configuration target = current;
            for (Single edit : edits) {
                target = edit.applyTo(target);
            }
            return target;
        }
    }
}
