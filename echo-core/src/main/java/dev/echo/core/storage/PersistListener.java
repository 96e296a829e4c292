package dev.echo.core.storage;

/**
 * Receives a group's durability reports from the journal.
 *
 * <p>Threading: called on the journal's writer thread, in ticket order per group. Implementations must not block and
 * must not call back into the journal; they hand the report to the group's loop (for example by enqueuing an
 * {@code Input.Persisted}).
 */
public interface PersistListener {
    /**
     * Everything persisted for this group up to and including {@code ticket} is durable (forced to stable storage).
     *
     * @param ticket the highest durable ticket
     */
    void persisted(long ticket);

    /**
     * The journal failed (fail-stop): no persist after the last reported ticket is, or will ever be, acknowledged.
     * Called at most once.
     *
     * @param cause the typed failure
     */
    void failed(StorageException cause);

    /**
     * The disk is full (PROTOCOL.md §5 holds: nothing reported durable is lost): the journal holds back the persist it
     * has no room for, and every one after it, and reports none of them until space returns. It keeps trying by itself;
     * {@link #storageAvailable} follows when it can write again. Called once per episode.
     *
     * @param cause the typed condition, {@link StorageException.Reason#STORAGE_FULL}
     */
    default void storageFull(StorageException cause) {}

    /** The disk has room again after {@link #storageFull}: persists proceed and are reported as before. */
    default void storageAvailable() {}
}
