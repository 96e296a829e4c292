package dev.echo.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * This member's handle on one process group: submit commands to the replicated state machine, read it, watch the
 * member's status and the group's view. Obtained from {@link dev.echo.core.node.EchoNode#join}; implemented by Echo
 * only (an application may implement it in its own test doubles).
 *
 * <p>Threading: thread-safe; no method blocks except {@link #submit} and {@link #read} when the group was configured to
 * wait for in-flight room ({@link GroupOptions#waitWhenFull()}). Futures complete on the group's loop thread:
 * dependent actions attached with {@code thenApply} and the like run there too and must not block; use the
 * {@code ...Async} variants to run them elsewhere.
 *
 * <p>Outcomes: a future completes with the state machine's result, or fails with an {@link EchoException} whose
 * {@link EchoException#certainlyNotApplied()} says whether the operation may simply be retried.
 */
public interface ReplicatedGroup extends AutoCloseable {
    /** The group's name. */
    String name();

    /**
     * Multicasts {@code payload} to this member's multicast view (PROTOCOL.md §13): volatile, never journaled, and
     * delivered through {@link GroupListener#multicastDelivered} at every member of the view, in the view only, in
     * one total order. The members that move together to the next view have delivered the same multicasts of this
     * one before they hear of it. Needs {@link GroupOptions.Builder#multicast}.
     *
     * @param ordering the weakest order the application needs; see {@link Ordering}
     * @return completes when this member delivered the multicast itself; fails with
     *     {@link EchoException.Reason#NOT_IN_VIEW}, {@code OVERLOADED} (flow control), {@code TOO_LARGE},
     *     {@code VIEW_CHANGED} (not delivered, retry), {@code LEFT_VIEW} (unknown), or {@code INVALID} if the group
     *     offers no multicast
     */
    CompletableFuture<Void> multicast(byte[] payload, Ordering ordering);

    /**
     * Completes when every multicast this member has delivered so far is held by every member of the view, or when a
     * view change made that moot (PROTOCOL.md §13): the way to make multicasts as stable as the log when needed.
     */
    CompletableFuture<Void> flush();

    /**
     * Replicates {@code command} and applies it, once, at every member in log order. Exactly-once: the command
     * carries this member's session coordinates and is re-forwarded across leader changes until its outcome is
     * known; it is never applied twice.
     *
     * @return the result of {@link StateMachine#apply} at this member
     */
    CompletableFuture<byte[]> submit(byte[] command);

    /**
     * Submits every command of {@code commands} as {@link #submit} does, in list order, handing them to the group's
     * loop at once: one wake-up for the whole batch instead of one per command. Each command is admitted, and may
     * fail, on its own (for instance {@code TOO_LARGE} or {@code OVERLOADED}); the others go on.
     *
     * @return one future per command, in the same order
     */
    List<CompletableFuture<byte[]>> submitAll(List<byte[]> commands);

    /** A linearizable read: answered from local state once this member has applied the leader's confirmed index. */
    CompletableFuture<byte[]> read(byte[] query);

    /** A read answered at once from this member's state, which may lag the leader's (labelled stale). */
    CompletableFuture<byte[]> readStale(byte[] query);

    /** This member's current status in the group. */
    GroupStatus status();

    /**
     * Completes when this member is part of a working quorum: at once if it is, otherwise once it is (after the
     * first election, or when the quorum is regained). Fails with {@code CLOSED} or {@code STORAGE_FAILED} if the
     * group stops first. Writes submitted without the quorum fail fast with {@code NO_QUORUM}.
     */
    CompletableFuture<GroupStatus> whenQuorum();

    /**
     * The group's membership as this member has applied it: the latest committed configuration it applied, the one
     * {@link GroupListener#viewChanged} last reported (a restarted member starts from its snapshot's, or the initial
     * one, and hears each later one again as it applies its log). Never a configuration that may still be rolled
     * back, and its epoch never goes back. Never blocks.
     */
    View view();

    /**
     * While this machine asks to join ({@link GroupOptions.Builder#joinAt}) and no committed view includes it yet: how
     * many times it asked, which seeds it cannot reach, and why the last request did not add it. Empty for a member
     * that never asked, and once it is in. Never blocks.
     */
    Optional<JoinProgress> joining();

    /**
     * At the leader, each other member's health: reachable or not, when it last answered, how far behind it is, in
     * member order. Other members track none and complete with an empty list. Completes on the group's loop thread;
     * fails with {@code CLOSED} if the group is closed.
     */
    CompletableFuture<List<MemberHealth>> health();

    // ---------------------------------------------------------------- membership (PROTOCOL.md §3, §7, §8)
    // Any member may ask: the edit goes to the leader, which applies it to the latest configuration, through a joint
    // configuration when votes change, one change at a time. The future completes with the committed view, or fails
    // with NO_QUORUM (no leader known), CHANGE_IN_PROGRESS (retry later), INVALID (e.g. removing the last voter), or
    // TIMEOUT when the leader changed midway or did not answer in the request timeout (the change may still take
    // effect: watch GroupListener.viewChanged).

    /**
     * Adds {@code member} as a voter of {@code weight} at the lowest rank (promoting it if it is a learner), or
     * re-weights it if it already votes (or is suspended by dynamic voting; it gets that weight back when
     * re-admitted). A member becomes a voter only once it has caught up with the leader's log (PROTOCOL.md §8), so
     * that the group never counts on a vote that cannot yet ack: add a new member as a learner first. The request
     * waits for the catch-up, and fails with {@code NOT_CAUGHT_UP} if it has not happened within the request timeout.
     */
    CompletableFuture<View> addVoter(MemberId member, int weight);

    /**
     * Adds {@code member} as a learner (a non-voting replica receiving the committed stream), or demotes a voter. A
     * new member may ask this for itself: it joins with {@link GroupOptions.Builder#newMember()} and asks the voters it
     * was started with, one of which must be the leader (no voter passes on a join without an address, since it would
     * demote; a machine on a real network joins at its address instead: {@link #addLearner(MemberId, MemberAddress)}).
     */
    CompletableFuture<View> addLearner(MemberId member);

    /**
     * Adds machine {@code member}, reachable at {@code address}, as a learner (PROTOCOL.md §8): the configuration
     * records the address, so every member's transport can reach it. A member already there at the same address is
     * left as it is; an id in use at another address fails with {@code INVALID}. Never demotes a voter.
     */
    CompletableFuture<View> addLearner(MemberId member, MemberAddress address);

    /**
     * Replaces voter {@code replaced} (usually a dead machine) by {@code replacement} (PROTOCOL.md §8): adds the
     * replacement as a learner at {@code address} unless it is one already, waits until it has caught up with the
     * leader's log, then swaps it in at the replaced member's rank and weight in one joint change. Fails with
     * {@code NOT_CAUGHT_UP} if the replacement has not caught up within the request timeout (it then stays a learner;
     * remove it or retry), and completes with the view in which the replacement votes.
     */
    CompletableFuture<View> replace(MemberId replaced, MemberId replacement, MemberAddress address);

    /** Removes {@code member} from the group (voter, suspended voter or learner); it is told and stops. */
    CompletableFuture<View> removeMember(MemberId member);

    /** Moves voter {@code member} to the top rank: it breaks ties from now on. */
    CompletableFuture<View> makeTop(MemberId member);

    /**
     * Leaves the group (PROTOCOL.md §8): asks for this member's removal, and once it is committed closes the group
     * here (its journal stays). The listener hears {@code removed} when this member applies its removal.
     */
    CompletableFuture<View> leave();

    /**
     * Hands leadership from this member, the leader, to voter {@code target}: the leader catches it up and tells it to
     * campaign at once, refusing new writes meanwhile (docs/protocol.md, "Elections", leadership transfer). Completes
     * with this member's status once it follows {@code target} (at once if {@code target} is this member and it
     * leads). Fails with {@code NOT_LEADER} if this member does not lead, or as soon as it follows a member other
     * than {@code target} (the message names the leader it knows), {@code INVALID} if {@code target} is not a voter of
     * the configuration in force, or {@code TIMEOUT} if leadership has not moved to {@code target} within the request
     * timeout: the leader gave up after an election timeout and takes writes again, and leadership may still move
     * later.
     */
    CompletableFuture<GroupStatus> transferLeadership(MemberId target);

    /**
     * Stops the group at this member (its journal stays); pending operations fail with {@code CLOSED}. Idempotent;
     * does not wait for the group's loop to finish.
     */
    @Override
    void close();
}
