package dev.echo.journal;

import static dev.echo.journal.Journals.group;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.protocol.Voter;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.SnapshotStore;
import dev.echo.core.storage.StorageException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot files read from outside a journal: the source of a restore (docs/operations.md). */
class SnapshotFileTest {
    @TempDir
    Path directory;

    @Test
    void theNewestReadableFileOfADirectoryIsFoundAndReadBack() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
            store(g, 10, 2, "state at 10");
            store(g, 20, 3, "state at 20");
        }
        Path snapshots = directory.resolve("snapshots").resolve("g");
        Files.writeString(snapshots.resolve("snapshot-00000000000000000030-1.tmp"), "an unfinished one");

        SnapshotFile newest = SnapshotFile.newest(snapshots).orElseThrow();
        assertEquals(20, newest.index());
        assertEquals(3, newest.term());
        try (InputStream content = newest.open()) {
            assertArrayEquals("state at 20".getBytes(StandardCharsets.UTF_8), content.readAllBytes());
        }

        flipByte(newest.path(), 10); // inside the header: the file no longer checks out
        assertThrows(StorageException.class, () -> SnapshotFile.read(newest.path()));
        assertEquals(10, SnapshotFile.newest(snapshots).orElseThrow().index(), "the damaged one is passed over");

        Path empty = Files.createDirectories(directory.resolve("empty"));
        assertTrue(SnapshotFile.newest(empty).isEmpty());
        StorageException missing =
                assertThrows(StorageException.class, () -> SnapshotFile.newest(directory.resolve("none")));
        assertEquals(StorageException.Reason.IO, missing.reason());
    }

    private static void store(GroupJournal g, long index, long term, String state) throws Exception {
        SnapshotMeta meta = new SnapshotMeta(index, term, Configuration.ofVoters(List.of(Voter.of("n1", 1))), 0);
        try (SnapshotStore.Writer writer = g.snapshots().create(meta)) {
            writer.stream().write(state.getBytes(StandardCharsets.UTF_8));
            writer.commit();
        }
    }

    private static void flipByte(Path file, long offset) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).flip();
            channel.write(one, offset);
        }
    }
}
