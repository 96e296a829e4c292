package dev.echo.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.GroupJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many groups appending from many threads at once: each group's tickets are reported in order (RecordingListener
 * asserts it), each group's log is exactly what its thread wrote, and group commit shares forces between groups.
 */
class JournalConcurrencyTest {
    private static final int GROUPS = 16;
    private static final int ENTRIES = 1500;

    @TempDir
    Path directory;

    @Test
    void manyGroupsFromManyThreadsKeepTheirOrder() throws Exception {
        JournalOptions options =
                Journals.options(directory).segmentBytes(256 * 1024).build();
        List<List<Entry>> written = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(GROUPS);
        try (FileJournal journal = FileJournal.open(options)) {
            List<Future<List<Entry>>> results = new ArrayList<>();
            for (int g = 0; g < GROUPS; g++) {
                RecordingListener listener = new RecordingListener();
                GroupJournal group = journal.openGroup(Journals.group("g" + g), listener);
                int number = g;
                results.add(threads.submit(() -> appendAll(group, listener, number)));
            }
            for (Future<List<Entry>> result : results) {
                written.add(result.get());
            }
        } finally {
            threads.shutdownNow();
        }
        try (FileJournal journal = FileJournal.open(options)) {
            for (int g = 0; g < GROUPS; g++) {
                assertEquals(
                        written.get(g),
                        GroupReads.all(journal.openGroup(Journals.group("g" + g), null)),
                        "group g" + g);
            }
        }
    }

    private static List<Entry> appendAll(GroupJournal group, RecordingListener listener, int number) throws Exception {
        List<Entry> log = new ArrayList<>();
        long ticket = 0;
        int index = 1;
        while (index <= ENTRIES) {
            List<Entry> batch = new ArrayList<>();
            int size = 1 + (index * 7 + number) % 10;
            for (int i = 0; i < size && index <= ENTRIES; i++, index++) {
                batch.add(Journals.command(index, 1, "g" + number + "-" + index));
            }
            group.persist(
                    new Output.Persist(++ticket, Optional.empty(), batch.get(0).index(), batch));
            log.addAll(batch);
        }
        listener.await(ticket); // the listener itself fails the test if a ticket is reported out of order
        if (listener.reportedSoFar().size() >= ticket) {
            throw new AssertionError("group commit never shared a force: " + ticket + " reports for " + ticket);
        }
        return log;
    }
}
