package dev.echo.core.storage;

import dev.echo.core.protocol.SnapshotMeta;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Durable snapshots of one group's state machine, written and read as streams so that a snapshot is never held whole
 * on the heap.
 *
 * <p>Threading: thread-safe. Every method may block on disk I/O; call it from a thread allowed to block (not a
 * group loop or an I/O thread), for example a snapshot executor.
 */
public interface SnapshotStore {
    /**
     * Starts a snapshot. Nothing is visible until {@link Writer#commit()} returns.
     *
     * @param meta what the snapshot covers
     * @return a writer for the state machine's bytes
     * @throws StorageException if the store cannot create the file
     */
    Writer create(SnapshotMeta meta) throws StorageException;

    /** The newest committed snapshot, if any. */
    Optional<SnapshotMeta> latest();

    /**
     * What the committed snapshot at {@code index} covers.
     *
     * @throws StorageException {@code MISSING_SNAPSHOT} if there is none at that index, or a fault if its header is
     *     damaged
     */
    SnapshotMeta meta(long index) throws StorageException;

    /**
     * Opens a committed snapshot for streaming. The stream verifies the checksum as it reaches the end and throws
     * an {@link java.io.IOException} whose cause is a {@link StorageException} of reason {@code CORRUPT_SNAPSHOT} if it
     * does not match.
     *
     * @param index the snapshot's index
     * @return the state machine's bytes
     * @throws StorageException if no such snapshot exists ({@code MISSING_SNAPSHOT}) or its header is damaged
     */
    InputStream open(long index) throws StorageException;

    /** A snapshot being written. Not thread-safe: one thread writes and commits (or aborts) it. */
    interface Writer extends AutoCloseable {
        /** Where the state machine writes its bytes; buffered, never closed by the caller. */
        OutputStream stream();

        /**
         * Makes the snapshot durable and visible atomically (write, force, rename, force the directory).
         *
         * @throws StorageException if any step fails; the snapshot is then not visible
         */
        void commit() throws StorageException;

        /** Discards an uncommitted snapshot; does nothing after {@link #commit()}. Never throws. */
        @Override
        void close();
    }
}
