package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Objects;

/**
 * One edit of the group's membership, as an application asks for it at any member (PROTOCOL.md §3, §8). It travels
 * to the leader, which applies it to the configuration it knows to be the latest: an edit, unlike a whole target
 * configuration, stays meaningful when the asking member's view is stale. Immutable.
 */
public sealed interface MembershipChange {
    /** The member the edit is about. */
    MemberId member();

    /** The configuration after this edit; throws {@link IllegalArgumentException} if the edit cannot be made. */
    Configuration applyTo(Configuration current);

    /**
     * Add {@code member} as a voter of {@code weight} at the lowest rank, or re-weight it.
     *
     * @param member the member
     * @param weight its weight, 1..{@link Voter#MAX_WEIGHT}
     */
    record AddVoter(MemberId member, int weight) implements MembershipChange {
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
     * Add {@code member} as a learner, or demote a voter to one.
     *
     * @param member the member
     */
    record AddLearner(MemberId member) implements MembershipChange {
        /** Requires a member. */
        public AddLearner {
            Objects.requireNonNull(member, "member");
        }

        @Override
        public Configuration applyTo(Configuration current) {
            return current.withLearner(member);
        }
    }

    /**
     * Remove {@code member} from the group (the leave of PROTOCOL.md §8 when a member asks it for itself).
     *
     * @param member the member
     */
    record Remove(MemberId member) implements MembershipChange {
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
    }

    /**
     * Move voter {@code member} to the top rank.
     *
     * @param member the member
     */
    record MakeTop(MemberId member) implements MembershipChange {
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
}
