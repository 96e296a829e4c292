package dev.echo.journal;

import static dev.echo.journal.Journals.command;
import static dev.echo.journal.Journals.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.protocol.Voter;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.RecoveredGroup;
import dev.echo.core.storage.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments the journal no longer needs are reused instead of zero-filling new ones (SegmentAllocator). A reused file
 * still holds its previous life's records past the new data; recovery must take them for the end of the data, never
 * for live records, both after a clean close and from a copy taken while the journal ran (a crash image).
 */
class SegmentReuseTest {
    @TempDir
    Path directory;

    /** Counts segment files reused: a retired one renamed back into a prepared one. */
    private static final class CountingLayer implements FileLayer {
        final AtomicInteger reused = new AtomicInteger();

        @Override
        public StorageFile open(Path path) throws IOException {
            return FileLayer.nio().open(path);
        }

        @Override
        public StorageFile openReadOnly(Path path) throws IOException {
            return FileLayer.nio().openReadOnly(path);
        }

        @Override
        public List<Path> list(Path dir) throws IOException {
            return FileLayer.nio().list(dir);
        }

        @Override
        public boolean exists(Path path) {
            return FileLayer.nio().exists(path);
        }

        @Override
        public void delete(Path path) throws IOException {
            FileLayer.nio().delete(path);
        }

        @Override
        public void moveAtomically(Path from, Path to) throws IOException {
            if (from.getFileName().toString().startsWith("retired-")) {
                reused.incrementAndGet();
            }
            FileLayer.nio().moveAtomically(from, to);
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
            FileLayer.nio().forceDirectory(dir);
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            FileLayer.nio().createDirectories(dir);
        }

        @Override
        public Lock tryLock(Path path) throws IOException {
            return FileLayer.nio().tryLock(path);
        }
    }

    @Test
    void reusedSegmentsRecoverExactlyAfterACloseAndFromACrashImage() throws Exception {
        int reused = writeCompactAndRecover(true);
        assertTrue(reused >= 3, "segments were reused: " + reused);
    }

    /**
     * Found by the test above, and older than reuse: a segment that rolled in the middle of an append recorded in its
     * header the log as it was before that append. Once the segment before it was deleted, recovery found the log out
     * of sequence and then failed on a compaction with an index out of bounds.
     */
    @Test
    void aLogWhoseSegmentRolledInTheMiddleOfAnAppendRecoversAfterCompaction() throws Exception {
        assertEquals(0, writeCompactAndRecover(false));
    }

    /** Appends, compacts now and then, closes; recovers the closed journal and a copy taken before closing. */
    private int writeCompactAndRecover(boolean preallocate) throws Exception {
        Path live = directory.resolve("live");
        Path image = directory.resolve("image");
        CountingLayer layer = new CountingLayer();
        List<Entry> written = new ArrayList<>();
        long compactedTo = 0;
        try (FileJournal journal = FileJournal.open(options(live, layer, preallocate))) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            long ticket = 0;
            long index = 0;
            for (int round = 0; round < 40; round++) {
                List<Entry> batch = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    batch.add(command(++index, 1, "entry " + index + " " + "x".repeat(200)));
                }
                g.persist(new Output.Persist(++ticket, Optional.empty(), index - 49, batch));
                written.addAll(batch);
                listener.await(ticket);
                if (round % 5 == 4) { // every 250 entries: a snapshot, then the log before it is dropped
                    compactedTo = index - 20;
                    SnapshotMeta meta = snapshotAt(compactedTo);
                    try (SnapshotStore.Writer writer = g.snapshots().create(meta)) {
                        writer.commit();
                    }
                    g.compact(meta, ++ticket);
                    listener.await(ticket);
                }
            }
            copy(live, image); // everything reported durable is in it; the writer is idle, not closed
        }
        for (Path dir : List.of(live, image)) {
            try (FileJournal journal = FileJournal.open(options(dir, FileLayer.nio(), preallocate))) {
                GroupJournal opened = journal.openGroup(group("g"), new RecordingListener());
                RecoveredGroup g = opened.recovered();
                assertEquals(Optional.empty(), g.fault(), dir.getFileName().toString());
                assertEquals(compactedTo, g.snapshotIndex());
                assertEquals(
                        written.subList((int) compactedTo, written.size()),
                        GroupReads.all(opened),
                        "exactly what was written");
            }
        }
        return layer.reused.get();
    }

    private static JournalOptions options(Path dir, FileLayer layer, boolean preallocate) {
        return JournalOptions.builder(dir, "cluster-a", "node-1")
                .segmentBytes(64 * 1024)
                .maxRecordBytes(8 * 1024)
                .fileLayer(layer)
                .preallocate(preallocate)
                .build();
    }

    private static SnapshotMeta snapshotAt(long index) {
        return new SnapshotMeta(index, 1, Configuration.ofVoters(List.of(Voter.of("n1", 1))), 0);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().equals("journal.lock")) {
                    Files.copy(path, target);
                }
            }
        }
    }
}
