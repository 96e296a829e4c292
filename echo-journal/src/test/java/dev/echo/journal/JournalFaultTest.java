package dev.echo.journal;

import static dev.echo.journal.Journals.command;
import static dev.echo.journal.Journals.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disk faults through {@link FaultInjectingFileLayer}: short writes are harmless; failed writes and forces stop. */
class JournalFaultTest {
    @TempDir
    Path directory;

    private final FaultInjectingFileLayer files = new FaultInjectingFileLayer();

    private JournalOptions options() {
        return Journals.options(directory)
                .segmentBytes(16 * 1024)
                .fileLayer(files)
                .build();
    }

    private static Output.Persist persist(long ticket, Entry entry) {
        return new Output.Persist(ticket, Optional.empty(), entry.index(), List.of(entry));
    }

    @Test
    void shortWritesAreCompletedAndRecoverIntact() throws Exception {
        files.maxBytesPerWrite = 7;
        List<Entry> written = new ArrayList<>();
        try (FileJournal journal = FileJournal.open(options())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            for (int i = 1; i <= 200; i++) {
                Entry entry = command(i, 1, "entry-" + i);
                written.add(entry);
                g.persist(persist(i, entry));
            }
            listener.await(200);
        }
        files.maxBytesPerWrite = Integer.MAX_VALUE;
        try (FileJournal journal = FileJournal.open(options())) {
            assertEquals(written, GroupReads.all(journal.openGroup(group("g"), null)));
        }
    }

    @Test
    void aFailedForceStopsTheJournalAndNothingAfterItIsAcknowledged() throws Exception {
        try (FileJournal journal = FileJournal.open(options())) {
            RecordingListener a = new RecordingListener();
            RecordingListener b = new RecordingListener();
            GroupJournal ga = journal.openGroup(group("a"), a);
            GroupJournal gb = journal.openGroup(group("b"), b);
            ga.persist(persist(1, command(1, 1, "durable")));
            a.await(1);
            files.failForces = true;
            ga.persist(persist(2, command(2, 1, "never acknowledged")));
            StorageException failure = a.awaitFailure();
            assertEquals(Reason.FORCE_FAILED, failure.reason());
            assertTrue(failure.isFatal());
            assertEquals(failure, b.awaitFailure(), "every group is told");
            assertEquals(List.of(1L), a.reported, "ticket 2 was never reported durable");
            StorageException later =
                    assertThrows(StorageException.class, () -> gb.persist(persist(1, command(1, 1, "refused"))));
            assertEquals(Reason.FORCE_FAILED, later.reason());
        }
        files.failForces = false;
        try (FileJournal journal = FileJournal.open(options())) {
            List<Entry> recovered = GroupReads.all(journal.openGroup(group("a"), null));
            assertEquals(command(1, 1, "durable"), recovered.get(0), "the acknowledged entry survives");
        }
    }

    @Test
    void aFailedWriteStopsTheJournalWithATypedError() throws Exception {
        try (FileJournal journal = FileJournal.open(options())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            files.failWrites = true;
            g.persist(persist(1, command(1, 1, "lost")));
            assertEquals(Reason.WRITE_FAILED, listener.awaitFailure().reason());
            assertEquals(List.of(), listener.reported);
        }
    }

    @Test
    void aWriteRefusedForLackOfSpaceStopsTheJournalAsStorageFullAndKeepsWhatItAcknowledged() throws Exception {
        try (FileJournal journal = FileJournal.open(options())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            g.persist(persist(1, command(1, 1, "durable")));
            listener.await(1);
            files.diskFull = true;
            g.persist(persist(2, command(2, 1, "no room")));
            StorageException failure = listener.awaitFailure();
            assertEquals(Reason.STORAGE_FULL, failure.reason(), failure.getMessage());
            assertTrue(failure.isFatal());
            assertEquals(List.of(1L), listener.reported);
        }
        files.diskFull = false;
        try (FileJournal journal = FileJournal.open(options())) {
            assertEquals(List.of(command(1, 1, "durable")), GroupReads.all(journal.openGroup(group("g"), null)));
        }
    }

    @Test
    void aFullDiskHoldsWritesBackAndTheyResumeWhenSpaceReturns() throws Exception {
        List<Entry> written = new ArrayList<>();
        JournalOptions preallocated = Journals.options(directory)
                .segmentBytes(16 * 1024)
                .preallocate(true) // records go into space already allocated: only a new segment needs room
                .fileLayer(files)
                .build();
        try (FileJournal journal = FileJournal.open(preallocated)) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            g.persist(persist(1, command(1, 1, "before")));
            written.add(command(1, 1, "before"));
            listener.await(1);
            files.noNewSpace = true;
            // Two segments' worth: the writer needs a new segment and the disk has no room for one.
            for (int i = 2; i <= 16; i++) {
                Entry entry = command(i, 1, "z".repeat(2000) + i);
                written.add(entry);
                g.persist(persist(i, entry));
            }
            assertEquals(List.of("full STORAGE_FULL"), listener.awaitDiskReports(1));
            long heldAt = listener.highest();
            assertTrue(heldAt < 16, "held back, not reported: " + listener.reportedSoFar());
            assertEquals(null, listener.failure, "a full disk is not a failure");

            files.noNewSpace = false;
            listener.await(16);
            assertEquals(List.of("full STORAGE_FULL", "available"), listener.awaitDiskReports(2));
            assertEquals(null, listener.failure);
        }
        try (FileJournal journal = FileJournal.open(preallocated)) {
            assertEquals(written, GroupReads.all(journal.openGroup(group("g"), null)), "nothing was lost");
        }
    }

    @Test
    void aFailureWhileRollingToANewSegmentIsFatalToo() throws Exception {
        try (FileJournal journal = FileJournal.open(options())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            g.persist(persist(1, command(1, 1, "x")));
            listener.await(1);
            files.failForces = true;
            String big = "y".repeat(3000);
            try {
                for (int i = 2; i <= 10; i++) {
                    g.persist(persist(i, command(i, 1, big)));
                }
            } catch (StorageException refused) {
                // The writer may fail before the loop ends; every later call then throws the same error.
                assertEquals(Reason.FORCE_FAILED, refused.reason());
            }
            assertEquals(Reason.FORCE_FAILED, listener.awaitFailure().reason());
            assertEquals(1L, listener.highest());
        }
    }
}
