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
     * Whether this journal has no writer thread of its own: the node then writes and forces what its groups queued
     * on its loop threads, with {@link #runQueuedWrites}, at the end of every pass, once the pass's messages are on
     * their way (docs/architecture.md, "Threads"). False by default.
     */
    default boolean writesOnCallerThreads() {
        return false;
    }

    /**
     * For a journal that {@link #writesOnCallerThreads}: writes, forces and reports what is queued, on the calling
     * thread, which blocks on the force; returns at once if another thread is doing it (that thread takes in what is
     * queued). Does nothing by default.
     *
     * @return whether anything was written
     */
    default boolean runQueuedWrites() {
        return false;
    }

    /**
     * Writes and forces everything already queued, reports it, then stops the writer and releases the files.
     * Idempotent. Later calls on the journal or its groups fail with {@code ILLEGAL_STATE}.
     */
    @Override
    void close();
}
