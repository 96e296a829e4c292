package dev.echo.journal;

import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.StorageException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One committed snapshot file as the file journal writes it ({@code snapshots/<group>/snapshot-<index>.snap} in a
 * member's data directory), read from outside any journal: the source of a restore (docs/operations.md, "Disaster
 * recovery"), for example a file copied off a surviving machine or out of a backup. Reading never changes the file, so
 * it is safe on a running member's directory as long as the file is not deleted meanwhile (a newer snapshot's commit
 * deletes older ones).
 *
 * <p>Immutable and thread-safe; {@link #read} and {@link #open} block on disk reads.
 */
public final class SnapshotFile {
    private final Path path;
    private final SnapshotMeta meta;

    private SnapshotFile(Path path, SnapshotMeta meta) {
        this.path = path;
        this.meta = meta;
    }

    /**
     * Reads and checks a snapshot file's header.
     *
     * @param path the file
     * @return the snapshot it holds
     * @throws StorageException {@code MISSING_SNAPSHOT} if there is no such file, {@code CORRUPT_SNAPSHOT} if it is not
     *     an Echo snapshot or its header fails its checksum, {@code UNSUPPORTED_VERSION} if a newer release wrote it,
     *     {@code IO} if it cannot be read
     */
    public static SnapshotFile read(Path path) throws StorageException {
        Objects.requireNonNull(path, "path");
        return new SnapshotFile(path, FileSnapshotStore.readMeta(NioFileLayer.INSTANCE, path));
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** The index of the last log entry the snapshot covers. */
    public long index() {
        return meta.index();
    }

    /** The term of that entry. */
    public long term() {
        return meta.term();
    }

    /**
     * Opens the snapshot's content: the bytes the group stored (its exactly-once table, then the state machine's own).
     * The stream checks the data's length and checksum when it reaches the end and then throws an
     * {@link java.io.IOException} whose cause is a {@link StorageException} of reason {@code CORRUPT_SNAPSHOT}.
     *
     * @throws StorageException as {@link #read}, if the file changed or went away since
     */
    public InputStream open() throws StorageException {
        return FileSnapshotStore.openData(NioFileLayer.INSTANCE, path);
    }

    @Override
    public String toString() {
        return "SnapshotFile[" + path + ", index " + meta.index() + ", term " + meta.term() + "]";
    }
}
