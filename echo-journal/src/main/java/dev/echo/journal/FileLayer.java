package dev.echo.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the journal and snapshot store use. {@link #nio()} is the real one; tests wrap it to
 * inject faults.
 *
 * <p>Threading: implementations must be thread-safe.
 */
public interface FileLayer {
    /** Opens {@code path} for reading and writing, creating it if absent. */
    StorageFile open(Path path) throws IOException;

    /** Opens an existing file for reading only. */
    StorageFile openReadOnly(Path path) throws IOException;

    /** The regular files directly in {@code directory}, sorted by name. */
    List<Path> list(Path directory) throws IOException;

    /** Whether {@code path} exists. */
    boolean exists(Path path);

    /** Deletes {@code path} if it exists. */
    void delete(Path path) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
    void moveAtomically(Path from, Path to) throws IOException;

    /** Forces a directory's entries (creations, renames, deletions) to stable storage. */
    void forceDirectory(Path directory) throws IOException;

    /** Creates {@code directory} and its parents if absent. */
    void createDirectories(Path directory) throws IOException;

    /**
     * Takes the exclusive lock on {@code path} (created if absent) that keeps a second journal, in this process or
     * another, out of a directory.
     *
     * @return the held lock, or null if someone else holds it
     */
    Lock tryLock(Path path) throws IOException;

    /** A lock held through {@link #tryLock}; closing releases it. */
    interface Lock extends AutoCloseable {
        /** Releases the lock; never fails (a lock dies with its process anyway). */
        @Override
        void close();
    }

    /** The real file system through {@link java.nio.channels.FileChannel}. */
    static FileLayer nio() {
        return NioFileLayer.INSTANCE;
    }
}
