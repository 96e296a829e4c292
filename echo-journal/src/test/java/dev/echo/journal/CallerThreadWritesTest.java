package dev.echo.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.StorageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal whose writes run on its callers' threads ({@link JournalOptions#writesOnCallerThreads()}): it starts no
 * writer thread, nothing becomes durable until a caller runs the queued writes, and callers racing to run them lose
 * no write, since the one running takes in what the others queued.
 */
class CallerThreadWritesTest {
    @TempDir
    Path directory;

    @Test
    void queuedWritesBecomeDurableOnTheThreadThatRunsThem() throws Exception {
        JournalOptions options =
                Journals.options(directory).writesOnCallerThreads(true).build();
        List<Entry> written = List.of(Journals.command(1, 1, "a"), Journals.command(2, 1, "b"));
        try (FileJournal journal = FileJournal.open(options)) {
            assertTrue(journal.writesOnCallerThreads());
            assertFalse(writerThreadRuns(options), "no writer thread of the journal's own");
            RecordingListener listener = new RecordingListener();
            Thread[] reportingThread = new Thread[1];
            PersistListener recordingThread = new PersistListener() {
                @Override
                public void persisted(long ticket) {
                    reportingThread[0] = Thread.currentThread();
                    listener.persisted(ticket);
                }

                @Override
                public void failed(StorageException cause) {
                    listener.failed(cause);
                }
            };
            GroupJournal group = journal.openGroup(Journals.group("g"), recordingThread); // registers on this thread
            group.persist(new Output.Persist(1, Optional.empty(), 1, written));

            assertEquals(List.of(), listener.reportedSoFar(), "nothing is durable before a caller writes");
            assertTrue(journal.runQueuedWrites());
            assertEquals(List.of(1L), listener.reportedSoFar());
            assertEquals(Thread.currentThread(), reportingThread[0]);
            assertFalse(journal.runQueuedWrites(), "nothing left to write");
        }
        try (FileJournal journal = FileJournal.open(options)) {
            assertEquals(written, GroupReads.all(journal.openGroup(Journals.group("g"), null)));
        }
    }

    @Test
    void aWriteQueuedWhileAnotherThreadForcesIsWrittenByThatThread() throws Exception {
        FaultInjectingFileLayer files = new FaultInjectingFileLayer();
        JournalOptions options = Journals.options(directory)
                .fileLayer(files)
                .writesOnCallerThreads(true)
                .build();
        try (FileJournal journal = FileJournal.open(options)) {
            RecordingListener first = new RecordingListener();
            RecordingListener second = new RecordingListener();
            GroupJournal one = journal.openGroup(Journals.group("one"), first);
            GroupJournal two = journal.openGroup(Journals.group("two"), second);
            CountDownLatch forcing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread writing = new Thread(journal::runQueuedWrites, "writing");
            files.beforeForce = () -> {
                if (Thread.currentThread() == writing) {
                    forcing.countDown();
                    awaitUninterruptibly(release);
                }
            };
            one.persist(new Output.Persist(1, Optional.empty(), 1, List.of(Journals.command(1, 1, "one"))));
            writing.start();
            forcing.await();

            two.persist(new Output.Persist(1, Optional.empty(), 1, List.of(Journals.command(1, 1, "two"))));
            assertFalse(journal.runQueuedWrites(), "another thread is writing: return at once");
            assertEquals(List.of(), second.reportedSoFar());
            release.countDown();
            second.await(1); // written by the other thread, which looked at the queue again after its batch
            writing.join();
            assertEquals(List.of(1L), first.reportedSoFar());
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void callersRacingToWriteLoseNoWrite() throws Exception {
        int groups = 8;
        int batches = 300;
        JournalOptions options = Journals.options(directory)
                .segmentBytes(256 * 1024)
                .writesOnCallerThreads(true)
                .build();
        ExecutorService threads = Executors.newFixedThreadPool(groups);
        List<List<Entry>> written = new ArrayList<>();
        try (FileJournal journal = FileJournal.open(options)) {
            List<Future<List<Entry>>> results = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                RecordingListener listener = new RecordingListener();
                GroupJournal group = journal.openGroup(Journals.group("g" + g), listener);
                String name = "g" + g;
                results.add(threads.submit(() -> {
                    List<Entry> log = new ArrayList<>();
                    for (int ticket = 1; ticket <= batches; ticket++) {
                        Entry entry = Journals.command(ticket, 1, name + "-" + ticket);
                        group.persist(new Output.Persist(ticket, Optional.empty(), ticket, List.of(entry)));
                        log.add(entry);
                        journal.runQueuedWrites(); // returns at once when another thread is writing
                    }
                    // No thread writes after this one stops: its last persist must have been taken in already.
                    listener.await(batches);
                    return log;
                }));
            }
            for (Future<List<Entry>> result : results) {
                written.add(result.get());
            }
        } finally {
            threads.shutdownNow();
        }
        try (FileJournal journal = FileJournal.open(options)) {
            for (int g = 0; g < groups; g++) {
                assertEquals(written.get(g), GroupReads.all(journal.openGroup(Journals.group("g" + g), null)));
            }
        }
    }

    @Test
    void aFullDiskHoldsWritesBackUntilACallerFindsRoomAgain() throws Exception {
        FaultInjectingFileLayer files = new FaultInjectingFileLayer();
        JournalOptions options = Journals.options(directory)
                .segmentBytes(16 * 1024)
                .preallocate(true) // records go into space already allocated: only a new segment needs room
                .fileLayer(files)
                .writesOnCallerThreads(true)
                .build();
        List<Entry> written = new ArrayList<>();
        try (FileJournal journal = FileJournal.open(options)) {
            RecordingListener listener = new RecordingListener();
            GroupJournal group = journal.openGroup(Journals.group("g"), listener);
            files.noNewSpace = true;
            for (int i = 1; i <= 16; i++) { // two segments' worth: the writer needs a segment the disk has no room for
                Entry entry = Journals.command(i, 1, "z".repeat(2000) + i);
                written.add(entry);
                group.persist(new Output.Persist(i, Optional.empty(), i, List.of(entry)));
                journal.runQueuedWrites();
            }
            assertEquals(List.of("full STORAGE_FULL"), listener.awaitDiskReports(1));
            assertTrue(listener.highest() < 16, "held back, not reported: " + listener.reportedSoFar());
            assertEquals(null, listener.failure, "a full disk is not a failure");

            files.noNewSpace = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (listener.highest() < 16 && System.nanoTime() < deadline) {
                journal.runQueuedWrites(); // tries the held-back write again at most every 100 ms
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            assertEquals(16, listener.highest());
            assertEquals(List.of("full STORAGE_FULL", "available"), listener.awaitDiskReports(2));
        }
        try (FileJournal journal = FileJournal.open(options)) {
            assertEquals(written, GroupReads.all(journal.openGroup(Journals.group("g"), null)), "nothing was lost");
        }
    }

    @Test
    void invokerModeWinsOverCallerThreadWrites() throws Exception {
        JournalOptions options = Journals.options(directory)
                .invoker(true)
                .writesOnCallerThreads(true)
                .build();
        try (FileJournal journal = FileJournal.open(options)) {
            assertFalse(journal.writesOnCallerThreads(), "the invoker drives the writer with runPending");
            assertFalse(journal.runQueuedWrites());
        }
    }

    private static boolean writerThreadRuns(JournalOptions options) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals("echo-journal-writer-" + options.nodeId()));
    }
}
