package dev.echo.core.storage;

import java.util.SortedSet;

/**
 * A node's journal, shared by every group the node hosts (ARCHITECTURE.md "The runtime"): one write stream, one
 * writer, one force per batch for all groups together.
 *
 * <p>Threading: thread-safe. {@link #openGroup} and {@link #close} block (disk I/O); call them at start-up and
 * shut-down, not from a group loop or an I/O thread.
 */
public interface Journal extends AutoCloseable {
    /**
     * Opens a group, registering it durably first if the journal has never seen it.
     *
     * @param identity the group and this member's identity; for a known group the recorded identity wins and is
     *     returned in {@link GroupJournal#recovered()}
     * @param listener receives this group's durability reports
     * @return the group's journal
     * @throws StorageException {@code WRONG_OWNER} if the group is recorded for another member id,
     *     {@code ILLEGAL_STATE} if it is already open or the journal is closed, or a fatal write error
     */
    GroupJournal openGroup(GroupIdentity identity, PersistListener listener) throws StorageException;

    /** The names of every group the journal holds, sorted. */
    SortedSet<String> groupNames();

    /**
     * Writes and forces everything already queued, reports it, then stops the writer and releases the files.
     * Idempotent. Later calls on the journal or its groups fail with {@code ILLEGAL_STATE}.
     */
    @Override
    void close();
}
