package dev.echo.core.storage;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import java.util.List;

/**
 * One group's view of the node's {@link Journal}: it persists the core's {@link Output.Persist} outputs in order,
 * reports them durable through the group's {@link PersistListener}, serves reads of the log, and compacts it after a
 * snapshot.
 *
 * <p>Threading: {@link #persist} and {@link #compact} must be called by one thread at a time (the group's loop); they
 * never block on disk: they queue the work for the journal's writer thread. {@link #read} may be called from any
 * thread and blocks on disk reads. {@link #recovered()} and {@link #snapshots()} are thread-safe.
 */
public interface GroupJournal {
    /** What the journal held for this group when it was opened. */
    RecoveredGroup recovered();

    /**
     * Queues a persist. Once it and every earlier one is forced, the listener is told {@code persisted(ticket)}.
     *
     * @param persist the core's output, with tickets increasing across calls
     * @throws StorageException {@code RECORD_TOO_LARGE} if an entry exceeds the journal's maximum record size,
     *     {@code ILLEGAL_STATE} if tickets go backwards, the log part leaves a gap or the journal is closed, or the
     *     fatal failure that stopped the journal; nothing is queued then
     */
    void persist(Output.Persist persist) throws StorageException;

    /**
     * Discards the log up to {@code snapshot.index()}, which a committed snapshot in {@link #snapshots()} now covers.
     * Later entries are kept only if the log holds the snapshot's last entry with the same term (Raft's rule for
     * installing a snapshot) and the group is not faulted; otherwise the whole log is discarded and the log restarts
     * after the snapshot, which also clears a recovery fault. Reported durable like a persist.
     *
     * @param snapshot the committed snapshot
     * @param ticket the ticket to report, greater than every earlier one
     * @throws StorageException {@code MISSING_SNAPSHOT} if the store has no committed snapshot at that index,
     *     {@code ILLEGAL_STATE} if the ticket goes backwards or the journal is closed
     */
    void compact(SnapshotMeta snapshot, long ticket) throws StorageException;

    /**
     * Reads entries {@code [fromIndex, toIndexExclusive)} written so far, stopping early once {@code maxBytes} of
     * entries have been read (at least one entry is returned if any is in range).
     *
     * @throws StorageException {@code ILLEGAL_STATE} if the range reaches before the log's first index or past its
     *     last, {@code CORRUPT_RECORD} if a record read back fails its checksum, {@code IO} on a read error
     */
    List<Entry> read(long fromIndex, long toIndexExclusive, long maxBytes) throws StorageException;

    /** The first index still in the log (one past the snapshot). */
    long firstIndex();

    /** The last index written to the log (or the snapshot's, if the log is empty). */
    long lastIndex();

    /** This group's snapshots. */
    SnapshotStore snapshots();

    /**
     * Starts this member's next life in the group (PROTOCOL.md §5): durably records its identity with the incarnation
     * raised by one, and returns that identity. For a member whose journal reported damage: it may have lost entries
     * and votes it acknowledged, so it must not count as its old self again. Blocks until the record is forced.
     *
     * @throws StorageException {@code ILLEGAL_STATE} if the journal is closed, or the fatal failure that stopped it
     */
    GroupIdentity reincarnate() throws StorageException;
}
