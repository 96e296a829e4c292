package dev.echo.examples.snapshot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.storage.StorageException;
import dev.echo.journal.SnapshotFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The snapshot files a member's journal keeps in {@code DIR/snapshots/<group>}, as tests look for them. */
public final class StoredSnapshots {
    private StoredSnapshots() {}

    /**
     * The newest committed snapshot file in {@code store}, waiting up to 20 s for one: snapshots are written on the
     * node's snapshot thread, after the entries they cover were applied.
     */
    public static Path awaitNewest(Path store) throws StorageException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Path newest = newest(store);
        while (newest == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
            newest = newest(store);
        }
        assertTrue(newest != null, "a snapshot was stored in " + store);
        return newest;
    }

    /** The newest readable snapshot file in {@code store}, or null if there is none (yet). */
    public static Path newest(Path store) throws StorageException {
        if (!Files.isDirectory(store)) {
            return null;
        }
        return SnapshotFile.newest(store).map(SnapshotFile::path).orElse(null);
    }
}
