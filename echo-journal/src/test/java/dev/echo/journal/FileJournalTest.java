package dev.echo.journal;

import static dev.echo.journal.Journals.command;
import static dev.echo.journal.Journals.group;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.protocol.Voter;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.RecoveredGroup;
import dev.echo.core.storage.SnapshotStore;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {
    @TempDir
    Path directory;

    private static Output.Persist persist(long ticket, long firstIndex, Entry... entries) {
        return new Output.Persist(ticket, Optional.empty(), firstIndex, List.of(entries));
    }

    private static SnapshotMeta snapshotAt(long index, long term) {
        return new SnapshotMeta(index, term, Configuration.ofVoters(List.of(Voter.of("n1", 1))), 0);
    }

    @Test
    void entriesAndTermVoteSurviveReopen() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            HardState voted = new HardState(3, Optional.of(MemberId.of("n2")));
            g.persist(new Output.Persist(1, Optional.of(voted), 1, List.of(command(1, 3, "a"), command(2, 3, "b"))));
            g.persist(persist(2, 3, command(3, 3, "c")));
            listener.await(2);
            assertEquals(List.of(command(2, 3, "b"), command(3, 3, "c")), g.read(2, 4, Long.MAX_VALUE));
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal opened = journal.openGroup(group("g"), new RecordingListener());
            RecoveredGroup recovered = opened.recovered();
            assertEquals(new HardState(3, Optional.of(MemberId.of("n2"))), recovered.hardState());
            assertEquals(List.of(command(1, 3, "a"), command(2, 3, "b"), command(3, 3, "c")), GroupReads.all(opened));
            assertEquals(Optional.empty(), recovered.fault());
            assertEquals(group("g"), recovered.identity());
        }
    }

    @Test
    void aConflictTruncatesAndTheNewSuffixWinsAfterReopen() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            g.persist(persist(1, 1, command(1, 1, "a"), command(2, 1, "b"), command(3, 1, "c")));
            g.persist(persist(2, 2, command(2, 2, "B")));
            listener.await(2);
            assertEquals(2, g.lastIndex());
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            assertEquals(
                    List.of(command(1, 1, "a"), command(2, 2, "B")),
                    GroupReads.all(journal.openGroup(group("g"), new RecordingListener())));
        }
    }

    @Test
    void groupsShareOneJournalAndKeepTheirOwnLogs() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener la = new RecordingListener();
            RecordingListener lb = new RecordingListener();
            GroupJournal a = journal.openGroup(group("a"), la);
            GroupJournal b = journal.openGroup(group("b"), lb);
            a.persist(persist(1, 1, command(1, 1, "a1")));
            b.persist(persist(10, 1, command(1, 5, "b1"), command(2, 5, "b2")));
            la.await(1);
            lb.await(10);
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            assertEquals(List.of("a", "b"), new ArrayList<>(journal.groupNames()));
            assertEquals(
                    1,
                    GroupReads.all(journal.openGroup(group("a"), new RecordingListener()))
                            .size());
            assertEquals(
                    2,
                    GroupReads.all(journal.openGroup(group("b"), new RecordingListener()))
                            .size());
        }
    }

    @Test
    void compactionAfterASnapshotDropsThePrefixAndDeletesUnneededSegments() throws Exception {
        JournalOptions options = Journals.options(directory)
                .segmentBytes(8192)
                .maxRecordBytes(1024)
                .build();
        try (FileJournal journal = FileJournal.open(options)) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            String payload = "x".repeat(300);
            for (int i = 1; i <= 100; i++) {
                g.persist(persist(i, i, command(i, 1, payload)));
            }
            listener.await(100);
            long segmentsBefore = segmentCount();
            assertTrue(segmentsBefore > 3, "the log spans several segments: " + segmentsBefore);
            try (SnapshotStore.Writer writer = g.snapshots().create(snapshotAt(90, 1))) {
                writer.stream().write("state at 90".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                writer.commit();
            }
            g.compact(snapshotAt(90, 1), 101);
            listener.await(101);
            assertEquals(91, g.firstIndex());
            assertEquals(100, g.lastIndex());
            assertTrue(segmentCount() < segmentsBefore, "segments before the snapshot were deleted");
            assertThrows(StorageException.class, () -> g.read(50, 51, 1));
        }
        try (FileJournal journal = FileJournal.open(options)) {
            GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
            RecoveredGroup recovered = g.recovered();
            assertEquals(Optional.empty(), recovered.fault());
            assertEquals(90, recovered.snapshotIndex());
            assertEquals(91, GroupReads.all(g).get(0).index());
            assertEquals(100, recovered.lastIndex());
            try (InputStream in = g.snapshots().open(90)) {
                assertEquals("state at 90", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aSnapshotPastTheLogOrNotMatchingItRestartsTheLog() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            g.persist(persist(1, 1, command(1, 1, "a"), command(2, 1, "b"), command(3, 1, "c")));
            try (SnapshotStore.Writer writer = g.snapshots().create(snapshotAt(2, 9))) {
                writer.commit();
            }
            g.compact(snapshotAt(2, 9), 2); // entry 2 has term 1, not 9: the suffix does not match
            listener.await(2);
            assertEquals(2, g.lastIndex());
            g.persist(persist(3, 3, command(3, 9, "C")));
            listener.await(3);
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            assertEquals(
                    List.of(command(3, 9, "C")),
                    GroupReads.all(journal.openGroup(group("g"), new RecordingListener())));
        }
    }

    @Test
    void aMissingSnapshotIsATypedFaultForThatGroupOnly() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            GroupJournal other = journal.openGroup(group("other"), new RecordingListener());
            g.persist(persist(1, 1, command(1, 1, "a"), command(2, 1, "b")));
            try (SnapshotStore.Writer writer = g.snapshots().create(snapshotAt(1, 1))) {
                writer.commit();
            }
            g.compact(snapshotAt(1, 1), 2);
            listener.await(2);
            assertEquals(2, other.lastIndex() + 2);
        }
        try (var files = Files.list(directory.resolve("snapshots").resolve("g"))) {
            for (Path path : (Iterable<Path>) files::iterator) {
                Files.delete(path);
            }
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecoveredGroup g =
                    journal.openGroup(group("g"), new RecordingListener()).recovered();
            assertEquals(Reason.MISSING_SNAPSHOT, g.fault().orElseThrow().reason());
            assertEquals(
                    Optional.empty(),
                    journal.openGroup(group("other"), new RecordingListener())
                            .recovered()
                            .fault());
        }
    }

    @Test
    void aFaultedGroupStartsItsNextLifeAndRestartsItsLogFromScratch() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            g.persist(persist(1, 1, command(1, 1, "a"), command(2, 1, "b")));
            try (SnapshotStore.Writer writer = g.snapshots().create(snapshotAt(1, 1))) {
                writer.commit();
            }
            g.compact(snapshotAt(1, 1), 2);
            listener.await(2);
        }
        try (var files = Files.list(directory.resolve("snapshots").resolve("g"))) {
            for (Path path : (Iterable<Path>) files::iterator) {
                Files.delete(path); // the log starts after a snapshot that is gone: a fault
            }
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            assertEquals(
                    Reason.MISSING_SNAPSHOT, g.recovered().fault().orElseThrow().reason());
            assertEquals(8, g.reincarnate().incarnation(), "the next life after 7");
            // The repair from the leader's whole log: drop everything, then entries from 1.
            g.compact(SnapshotMeta.beforeFirstEntry(snapshotAt(1, 1).configuration()), 1);
            g.persist(persist(2, 1, command(1, 3, "x"), command(2, 3, "y")));
            listener.await(2);
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal opened = journal.openGroup(group("g"), new RecordingListener());
            RecoveredGroup g = opened.recovered();
            assertEquals(Optional.empty(), g.fault(), "repaired");
            assertEquals(8, g.identity().incarnation(), "the new life is durable");
            assertEquals(List.of(command(1, 3, "x"), command(2, 3, "y")), GroupReads.all(opened));
        }
    }

    @Test
    void compactingWithoutACommittedSnapshotIsRefused() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
            g.persist(persist(1, 1, command(1, 1, "a")));
            StorageException refused = assertThrows(StorageException.class, () -> g.compact(snapshotAt(1, 1), 2));
            assertEquals(Reason.MISSING_SNAPSHOT, refused.reason());
        }
    }

    /**
     * A snapshot names its configuration's log index (the view's epoch, PROTOCOL.md §13) from version 3 on. A version-2
     * file, which did not, still loads, with the snapshot's own index in its place: what that release reported.
     */
    @Test
    void aSnapshotKeepsItsConfigurationsIndexAndAVersion2SnapshotStillLoads() throws Exception {
        SnapshotMeta meta = new SnapshotMeta(9, 2, Configuration.ofVoters(List.of(Voter.of("n1", 1))), 4);
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
            try (SnapshotStore.Writer writer = g.snapshots().create(meta)) {
                writer.stream().write("state at 9".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                writer.commit();
            }
        }
        Path file;
        try (var files = Files.list(directory.resolve("snapshots").resolve("g"))) {
            file = files.findFirst().orElseThrow();
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            assertEquals(
                    meta,
                    journal.openGroup(group("g"), new RecordingListener())
                            .snapshots()
                            .meta(9));
        }

        // Rewritten as version 2 wrote it: no configuration index after the configuration, and the header checksum
        // over that shorter header. The state and its trailer stay as they are.
        ByteBuffer v3 = ByteBuffer.wrap(Files.readAllBytes(file));
        int configEnd = 32 + v3.getInt(28);
        ByteBuffer rewritten = ByteBuffer.allocate(v3.capacity() - 8);
        rewritten.put(v3.array(), 0, configEnd).putInt(8, 2);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(rewritten.array(), 0, configEnd);
        rewritten.putInt((int) crc.getValue());
        rewritten.put(v3.array(), configEnd + 12, v3.capacity() - configEnd - 12);
        Files.write(file, rewritten.array());

        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
            assertEquals(
                    new SnapshotMeta(9, 2, meta.configuration(), 9),
                    g.snapshots().meta(9));
            try (InputStream in = g.snapshots().open(9)) {
                assertEquals("state at 9", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aDamagedSnapshotFailsItsChecksumWhileStreaming() throws Exception {
        Path file;
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
            try (SnapshotStore.Writer writer = g.snapshots().create(snapshotAt(5, 2))) {
                OutputStream out = writer.stream();
                for (int i = 0; i < 100_000; i++) {
                    out.write(i);
                }
                writer.commit();
            }
            assertEquals(5, g.snapshots().latest().orElseThrow().index());
            try (var files = Files.list(directory.resolve("snapshots").resolve("g"))) {
                file = files.findFirst().orElseThrow();
            }
            flipBit(file, 50_000);
            IOException damaged = assertThrows(IOException.class, () -> {
                try (InputStream in = g.snapshots().open(5)) {
                    in.readAllBytes();
                }
            });
            assertEquals(Reason.CORRUPT_SNAPSHOT, ((StorageException) damaged.getCause()).reason());
            assertEquals(
                    Reason.MISSING_SNAPSHOT,
                    assertThrows(StorageException.class, () -> g.snapshots().open(6))
                            .reason());
        }
    }

    @Test
    void anAbandonedSnapshotIsNeverVisible() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
            try (SnapshotStore.Writer writer = g.snapshots().create(snapshotAt(5, 2))) {
                writer.stream().write(1);
            }
            assertEquals(Optional.empty(), g.snapshots().latest());
        }
    }

    @Test
    void aDirectoryOfAnotherNodeOrClusterIsRefused() throws Exception {
        FileJournal.open(Journals.options(directory).build()).close();
        StorageException otherNode = assertThrows(
                StorageException.class,
                () -> FileJournal.open(
                        JournalOptions.builder(directory, "cluster-a", "node-2").build()));
        assertEquals(Reason.WRONG_OWNER, otherNode.reason());
        StorageException otherCluster = assertThrows(
                StorageException.class,
                () -> FileJournal.open(
                        JournalOptions.builder(directory, "cluster-b", "node-1").build()));
        assertEquals(Reason.WRONG_OWNER, otherCluster.reason());
    }

    @Test
    void aDirectoryInUseIsRefused() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            StorageException inUse = assertThrows(
                    StorageException.class,
                    () -> FileJournal.open(Journals.options(directory).build()));
            assertEquals(Reason.ILLEGAL_STATE, inUse.reason());
            assertFalse(journal.groupNames().contains("x"));
        }
    }

    @Test
    void aGroupRecordedForAnotherMemberIsRefused() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            journal.openGroup(group("g"), new RecordingListener());
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            StorageException refused = assertThrows(
                    StorageException.class,
                    () -> journal.openGroup(
                            new GroupIdentity("g", MemberId.of("someone-else"), 1), new RecordingListener()));
            assertEquals(Reason.WRONG_OWNER, refused.reason());
            GroupIdentity recorded = journal.openGroup(new GroupIdentity("g", MemberId.of("n1"), 99), null)
                    .recovered()
                    .identity();
            assertEquals(7, recorded.incarnation(), "the recorded incarnation wins");
        }
    }

    @Test
    void badCallsGetTypedErrorsAndQueueNothing() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            Entry huge = new Entry(1, 1, new Entry.Command(1, 1, 0, new byte[9000]));
            assertEquals(
                    Reason.RECORD_TOO_LARGE,
                    assertThrows(StorageException.class, () -> g.persist(persist(1, 1, huge)))
                            .reason());
            g.persist(persist(5, 1, command(1, 1, "a")));
            assertEquals(
                    Reason.ILLEGAL_STATE,
                    assertThrows(StorageException.class, () -> g.persist(persist(5, 2, command(2, 1, "b"))))
                            .reason());
            assertEquals(
                    Reason.ILLEGAL_STATE,
                    assertThrows(StorageException.class, () -> g.persist(persist(6, 4, command(4, 1, "gap"))))
                            .reason());
            assertEquals(
                    Reason.ILLEGAL_STATE,
                    assertThrows(StorageException.class, () -> journal.openGroup(group("g"), listener))
                            .reason());
            listener.await(5);
            assertEquals(
                    Reason.ILLEGAL_STATE,
                    assertThrows(StorageException.class, () -> g.read(1, 3, 100))
                            .reason());
            assertEquals(List.of(5L), listener.reported);
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() throws Exception {
        FileJournal journal = FileJournal.open(Journals.options(directory).build());
        GroupJournal g = journal.openGroup(group("g"), new RecordingListener());
        journal.close();
        journal.close();
        assertEquals(
                Reason.ILLEGAL_STATE,
                assertThrows(StorageException.class, () -> g.persist(persist(1, 1, command(1, 1, "a"))))
                        .reason());
        assertEquals(
                Reason.ILLEGAL_STATE,
                assertThrows(StorageException.class, () -> journal.openGroup(group("h"), null))
                        .reason());
    }

    @Test
    void aRecordOfAnUnknownTypeOrVersionStopsTheOpenWithATypedError() throws Exception {
        for (int variant = 0; variant < 2; variant++) {
            Path dir = directory.resolve("v" + variant);
            try (FileJournal journal = FileJournal.open(Journals.options(dir).build())) {
                RecordingListener listener = new RecordingListener();
                journal.openGroup(group("g"), listener).persist(persist(1, 1, command(1, 1, "a")));
                listener.await(1);
            }
            Path last = lastSegment(dir);
            long end = Files.size(last);
            ByteBuffer record = ByteBuffer.allocate(64);
            int start = RecordFormat.begin(record);
            record.putLong(42);
            RecordFormat.finish(record, start, RecordType.SEAL, 0, 0, 0);
            if (variant == 0) {
                record.put(8, (byte) 99); // a type from the future
            } else {
                record.put(9, (byte) (RecordFormat.VERSION + 1)); // a version from the future
            }
            record.putInt(32, RecordFormat.crc(record, 0, 32) ^ RecordFormat.mask(Segment.sequenceOf(last)));
            record.flip();
            try (var channel = java.nio.channels.FileChannel.open(last, StandardOpenOption.WRITE)) {
                channel.write(record, end);
            }
            StorageException refused = assertThrows(
                    StorageException.class,
                    () -> FileJournal.open(Journals.options(dir).build()));
            assertEquals(variant == 0 ? Reason.UNKNOWN_RECORD_TYPE : Reason.UNSUPPORTED_VERSION, refused.reason());
        }
    }

    @Test
    void aJournalTheEarlierReleaseWroteLoadsAndIsNeverAppendedTo() throws Exception { // docs/architecture.md
        HardState voted = new HardState(3, Optional.of(MemberId.of("n2")));
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            journal.openGroup(group("g"), listener)
                    .persist(new Output.Persist(
                            1, Optional.of(voted), 1, List.of(command(1, 3, "a"), command(2, 3, "b"))));
            listener.await(1);
        }
        Map<Path, byte[]> written = new TreeMap<>();
        for (Path segment : segments(directory)) {
            rewriteRecordsAsVersion(segment, (byte) 2);
            written.put(segment, Files.readAllBytes(segment));
        }

        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            assertEquals(voted, g.recovered().hardState());
            assertEquals(List.of(command(1, 3, "a"), command(2, 3, "b")), GroupReads.all(g));
            assertEquals(Optional.empty(), g.recovered().fault());
            assertEquals(List.of(command(1, 3, "a"), command(2, 3, "b")), g.read(1, 3, Long.MAX_VALUE));
            g.persist(persist(2, 3, command(3, 3, "c")));
            listener.await(2);
        }
        for (var old : written.entrySet()) {
            assertArrayEquals(old.getValue(), Files.readAllBytes(old.getKey()), old.getKey() + " was written to");
        }
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            assertEquals(
                    List.of(command(1, 3, "a"), command(2, 3, "b"), command(3, 3, "c")),
                    GroupReads.all(journal.openGroup(group("g"), new RecordingListener())));
        }
    }

    @Test
    void aReusedVersion2FileWhoseNewHeaderNeverLandedIsNotReplayed() throws Exception { // a crash image
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            journal.openGroup(group("g"), listener).persist(persist(1, 1, command(1, 1, "a")));
            listener.await(1);
        }
        for (Path segment : segments(directory)) {
            rewriteRecordsAsVersion(segment, (byte) 2);
        }
        Path last = lastSegment(directory);
        long next = Segment.sequenceOf(last) + 1;
        // Retired and taken for the next segment: renamed, but the crash came before its new header was written.
        Files.copy(last, directory.resolve(Segment.fileName(next)));

        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            GroupJournal opened = journal.openGroup(group("g"), new RecordingListener());
            assertEquals(Optional.empty(), opened.recovered().fault());
            assertEquals(List.of(command(1, 1, "a")), GroupReads.all(opened));
        }
    }

    @Test
    void aSegmentOlderThanTheOldestReadableVersionIsRefusedWithATypedError() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            journal.openGroup(group("g"), listener).persist(persist(1, 1, command(1, 1, "a")));
            listener.await(1);
        }
        rewriteRecordsAsVersion(lastSegment(directory), (byte) 1);
        StorageException refused = assertThrows(
                StorageException.class,
                () -> FileJournal.open(Journals.options(directory).build()));
        assertEquals(Reason.UNSUPPORTED_VERSION, refused.reason(), refused.getMessage());
    }

    /**
     * Rewrites every record of {@code segment} as a release before version 3 wrote it: the given version, and a header
     * checksum without the segment's mask. The payloads of versions 2 and 3 are the same.
     */
    private static void rewriteRecordsAsVersion(Path segment, byte version) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(segment));
        int mask = RecordFormat.mask(Segment.sequenceOf(segment));
        int offset = 0;
        while (RecordFormat.isValidHeader(data, offset, data.limit(), mask)) {
            data.put(offset + 9, version);
            data.putInt(offset + 32, RecordFormat.crc(data, offset, 32));
            offset += RecordFormat.paddedLength(data.getInt(offset));
        }
        assertTrue(offset > 0, segment + " holds no record");
        Files.write(segment, data.array());
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> Segment.sequenceOf(p) >= 0).sorted().toList();
        }
    }

    @Test
    void badOptionsAreRefusedWithClearMessages() {
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> JournalOptions.builder(directory, "cluster a", "n1")
                        .build());
        assertTrue(bad.getMessage().contains("clusterId"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JournalOptions.builder(directory, "c", "n1")
                .segmentBytes(100)
                .build());
        assertThrows(IllegalArgumentException.class, () -> JournalOptions.builder(directory, "c", "n1")
                .maxRecordBytes(64 << 20)
                .build());
    }

    private long segmentCount() throws IOException {
        try (var files = Files.list(directory)) {
            return files.filter(p -> Segment.sequenceOf(p) >= 0).count();
        }
    }

    static Path lastSegment(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> Segment.sequenceOf(p) >= 0)
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    static void flipBit(Path file, long bit) throws IOException {
        try (var channel =
                java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, bit / 8);
            one.put(0, (byte) (one.get(0) ^ (1 << (bit % 8))));
            one.flip();
            channel.write(one, bit / 8);
        }
    }
}
