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
}
