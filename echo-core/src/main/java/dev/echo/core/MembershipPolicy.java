package dev.echo.core;

/**
 * The application's say, at the leader, over membership changes that a member may not make on its own (PROTOCOL.md §8,
 * §10). A voter may ask for any change, and any authenticated machine may ask to add itself as a learner or to leave;
 * anything else a non-voter asks (say, a learner asking to be promoted, or to replace a dead voter) is refused with
 * {@link EchoException.Reason#UNAUTHORISED} unless the leader's policy approves it.
 *
 * <p>Threading: called on the leader's group loop thread while it handles the request. It must be quick and must not
 * block; it must not call the group. An exception counts as a refusal.
 */
@FunctionalInterface
public interface MembershipPolicy {
    /**
     * Whether {@code asker} may move the group from {@code current} to {@code proposed}.
     *
     * @param asker the member that asked, as its transport authenticated it
     * @param current the membership in force at the leader
     * @param proposed the membership the change leads to (its epoch is the current one's: it has none yet)
     */
    boolean approve(MemberId asker, View current, View proposed);
}
