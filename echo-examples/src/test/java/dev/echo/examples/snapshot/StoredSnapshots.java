package dev.echo.examples.snapshot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
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
    public static Path awaitNewest(Path store) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Path newest = newest(store);
        while (newest == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
            newest = newest(store);
        }
        assertTrue(newest != null, "a snapshot was stored in " + store);
        return newest;
    }

    /** The newest committed snapshot file in {@code store} by name (a temporary one ends in .tmp), or null. */
    public static Path newest(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return null;
        }
        Path newest = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(store, "snapshot-*.snap")) {
            for (Path file : files) {
                if (newest == null
                        || file.getFileName()
                                        .toString()
                                        .compareTo(newest.getFileName().toString())
                                > 0) {
                    newest = file;
                }
            }
        }
        return newest;
    }
}
