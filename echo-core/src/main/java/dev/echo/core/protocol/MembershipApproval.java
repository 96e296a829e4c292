package dev.echo.core.protocol;

import dev.echo.core.MemberId;

/**
 * The leader's application approving a membership change asked by a member that may not make it on its own (PROTOCOL.md
 * §8, §10): a non-voter asking for more than adding itself as a learner or leaving. Called on the leader's loop
 * thread while it handles the request; must be quick and must not block.
 */
@FunctionalInterface
public interface MembershipApproval {
    /** Approves nothing: only voters, and a member about itself, change the membership. */
    MembershipApproval NONE = (asker, current, target) -> false;

    /**
     * Whether {@code asker} may move the group from {@code current} to {@code target}.
     *
     * @param asker the member that asked, as its transport authenticated it
     * @param current the configuration in force at the leader
     * @param target the configuration the change leads to
     */
    boolean approves(MemberId asker, Configuration current, Configuration target);
}
