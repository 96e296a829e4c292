package dev.echo.core;

import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.runtime.GroupHandle;
import java.util.concurrent.CompletableFuture;

/**
 * This member's handle on one process group: submit commands to the replicated state machine, read it, watch the
 * member's status and the group's view. Obtained from {@link EchoNode#join}.
 *
 * <p>Threading: thread-safe; no method blocks except {@link #submit} and {@link #read} when the group was configured to
 * wait for in-flight room ({@link GroupOptions#waitWhenFull()}). Futures complete on the group's loop thread:
 * dependent actions attached with {@code thenApply} and the like run there too and must not block; use the
 * {@code ...Async} variants to run them elsewhere.
 *
 * <p>Outcomes: a future completes with the state machine's result, or fails with an {@link EchoException} whose
 * {@link EchoException#certainlyNotApplied()} says whether the operation may simply be retried.
 */
public final class ReplicatedGroup implements AutoCloseable {
    private final GroupHandle handle;

    ReplicatedGroup(GroupHandle handle) {
        this.handle = handle;
    }

    /** The group's name. */
    public String name() {
        return handle.name();
    }

    /**
     * Replicates {@code command} and applies it, once, at every member in log order. Exactly-once: the command
     * carries this member's session coordinates and is re-forwarded across leader changes until its outcome is
     * known; it is never applied twice.
     *
     * @return the result of {@link StateMachine#apply} at this member
     */
    public CompletableFuture<byte[]> submit(byte[] command) {
        return handle.submit(command);
    }

    /** A linearizable read: answered from local state once this member has applied the leader's confirmed index. */
    public CompletableFuture<byte[]> read(byte[] query) {
        return handle.read(query, false);
    }

    /** A read answered at once from this member's state, which may lag the leader's (labelled stale). */
    public CompletableFuture<byte[]> readStale(byte[] query) {
        return handle.read(query, true);
    }

    /** This member's current status in the group. */
    public GroupStatus status() {
        return handle.status();
    }

    /**
     * Completes when this member is part of a working quorum: at once if it is, otherwise once it is (after the
     * first election, or when the quorum is regained). Fails with {@code CLOSED} or {@code STORAGE_FAILED} if the
     * group stops first. Writes submitted without the quorum fail fast with {@code NO_QUORUM}.
     */
    public CompletableFuture<GroupStatus> whenQuorum() {
        return handle.whenQuorum();
    }

    /** The group's membership as this member currently sees it. */
    public View view() {
        return handle.view();
    }

    // ---------------------------------------------------------------- membership (PROTOCOL.md §3, §7, §8)
    // Any member may ask: the edit goes to the leader, which applies it to the latest configuration, through a joint
    // configuration when votes change, one change at a time. The future completes with the committed view, or fails
    // with NO_QUORUM (no leader known), CHANGE_IN_PROGRESS (retry later), INVALID (e.g. removing the last voter), or
    // TIMEOUT when the leader changed midway or did not answer in the request timeout (the change may still take
    // effect: watch GroupListener.viewChanged).

    /**
     * Adds {@code member} as a voter of {@code weight} at the lowest rank (promoting it if it is a learner), or
     * re-weights it if it already votes (or is suspended by dynamic voting; it gets that weight back when
     * re-admitted). Add a new member as a learner first and promote it once it has caught up, so the group does not
     * count on a vote that cannot yet ack.
     */
    public CompletableFuture<View> addVoter(MemberId member, int weight) {
        return handle.changeMembership(new MembershipChange.AddVoter(member, weight));
    }

    /**
     * Adds {@code member} as a learner (a non-voting replica receiving the committed stream), or demotes a voter. A
     * new member may ask this for itself: it joins with {@link GroupOptions.Builder#newMember()} and asks any member.
     */
    public CompletableFuture<View> addLearner(MemberId member) {
        return handle.changeMembership(new MembershipChange.AddLearner(member));
    }

    /** Removes {@code member} from the group (voter, suspended voter or learner); it is told and stops. */
    public CompletableFuture<View> removeMember(MemberId member) {
        return handle.changeMembership(new MembershipChange.Remove(member));
    }

    /** Moves voter {@code member} to the top rank: it breaks ties from now on. */
    public CompletableFuture<View> makeTop(MemberId member) {
        return handle.changeMembership(new MembershipChange.MakeTop(member));
    }

    /**
     * Leaves the group (PROTOCOL.md §8): asks for this member's removal, and once it is committed closes the group
     * here (its journal stays). The listener hears {@code removed} when this member applies its removal.
     */
    public CompletableFuture<View> leave() {
        return handle.changeMembership(new MembershipChange.Remove(handle.self()))
                .thenApply(view -> {
                    handle.close();
                    return view;
                });
    }

    /** Asks the leader (if this member is it) to hand leadership to {@code target}. */
    public void transferLeadership(MemberId target) {
        handle.transferLeadership(target);
    }

    /** Stops the group at this member (its journal stays); pending operations fail with {@code CLOSED}. Idempotent. */
    @Override
    public void close() {
        handle.close();
    }
}
