package dev.echo.core;

/**
 * What a {@link ReplicatedGroup} tells the application about its member. Every method has an empty default.
 *
 * <p>Threading: called on the group's loop thread, in the order the events happen, never concurrently for one group.
 * Implementations must return quickly and must not block or call blocking methods of Echo: the group makes no
 * progress while a callback runs.
 */
public interface GroupListener {
    /** The member's status changed (role, term or leader). */
    default void statusChanged(GroupStatus status) {}

    /** The member lost the quorum: writes fail with {@link EchoException.Reason#NO_QUORUM} until it is regained. */
    default void quorumLost(GroupStatus status) {}

    /** The member is part of a working quorum again. */
    default void quorumRegained(GroupStatus status) {}

    /**
     * At the leader: {@code member} stopped answering for longer than the minimum election timeout
     * ({@link ReplicatedGroup#health()}). Not called at other members, nor when this member stops leading.
     */
    default void memberUnreachable(MemberId member, GroupStatus status) {}

    /** At the leader: {@code member}, reported unreachable, answers again. */
    default void memberReachable(MemberId member, GroupStatus status) {}

    /**
     * The group's membership changed (a configuration entry committed and was applied); delivered in log order at
     * every member, including when a restarted member replays its journal.
     */
    default void viewChanged(View view) {}

    /**
     * A multicast was delivered at this member (PROTOCOL.md §13), in its view's total order.
     *
     * @param sender the member that multicast it
     * @param viewEpoch the multicast view it was sent and delivered in
     * @param payload its bytes; do not modify
     */
    default void multicastDelivered(MemberId sender, long viewEpoch, byte[] payload) {}

    /**
     * A multicast view was installed (PROTOCOL.md §13): every multicast of the previous view that this member delivers
     * has been delivered. Called when this member takes part in the new view or took part in the previous one.
     */
    default void multicastViewInstalled(MulticastView view) {}

    /**
     * This member installed a state transferred from another member (a snapshot, because it joined or fell behind the
     * leader's compacted log): the state machine now holds the group's state up to {@code index}, and applies what
     * follows. Called after the state machine heard the view the state was taken in, and before any later view.
     *
     * @param index the last log index the transferred state covers
     * @param status this member's status at that moment
     */
    default void stateInstalled(long index, GroupStatus status) {}

    /**
     * A committed configuration no longer contains this member: it was removed (or left). The member stays
     * {@link GroupStatus.Role#NOT_MEMBER} and takes no further part; operations fail with
     * {@link EchoException.Reason#NOT_MEMBER}.
     */
    default void removed(View view) {}

    /** The node's journal failed (fail-stop) or this member's log is damaged; the member stops taking part. */
    default void storageFaulted(EchoException cause) {}

    /**
     * This member's disk is full: its journal holds back what it has no room for, and the member refuses new writes
     * with {@link EchoException.Reason#STORAGE_FULL} (nothing applied). Nothing it acknowledged is lost; it resumes by
     * itself, and {@link #storageAvailable} follows, once space returns.
     */
    default void storageFull(GroupStatus status) {}

    /** The disk has room again after {@link #storageFull}: this member accepts writes again. */
    default void storageAvailable(GroupStatus status) {}
}
