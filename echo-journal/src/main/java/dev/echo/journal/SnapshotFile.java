package dev.echo.journal;

import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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

    /**
     * The newest snapshot in a group's snapshot directory ({@code DIR/snapshots/<group>} of a member's data directory)
     * whose header checks out: what to restore from when the member is gone. Temporary and damaged files are passed
     * over.
     *
     * @param directory the group's snapshot directory
     * @return the newest readable snapshot, or empty if the directory holds none
     * @throws StorageException {@code IO} if the directory cannot be listed
     */
    public static Optional<SnapshotFile> newest(Path directory) throws StorageException {
        Objects.requireNonNull(directory, "directory");
        List<Path> candidates;
        try {
            candidates = NioFileLayer.INSTANCE.list(directory).stream()
                    .filter(path -> FileSnapshotStore.indexOf(path) > 0)
                    .sorted(Comparator.comparingLong(FileSnapshotStore::indexOf).reversed())
                    .toList();
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot list snapshot directory " + directory, e);
        }
        for (Path candidate : candidates) {
            try {
                return Optional.of(read(candidate));
            } catch (StorageException damagedOrGone) {
                continue; // an older one may still serve
            }
        }
        return Optional.empty();
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
