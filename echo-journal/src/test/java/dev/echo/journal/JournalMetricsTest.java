package dev.echo.journal;

import static dev.echo.journal.Journals.command;
import static dev.echo.journal.Journals.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.GroupJournal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 24: the journal reports its fsyncs, batches, bytes and segment rolls to the metrics sink. */
class JournalMetricsTest {
    @TempDir
    Path directory;

    /** Sums per instrument name: counters add, histograms count their recordings and sum them. */
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    private final Map<String, AtomicLong> sums = new ConcurrentHashMap<>();

    private final MetricsSink sink = new MetricsSink() {
        @Override
        public Counter counter(String name, String description, String... tags) {
            assertEquals(List.of("node", "node-1"), List.of(tags));
            return amount -> sums.computeIfAbsent(name, n -> new AtomicLong()).addAndGet(amount);
        }

        @Override
        public Histogram histogram(String name, String description, String unit, String... tags) {
            return value -> {
                assertTrue(value >= 0, name + " recorded " + value);
                counts.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
                sums.computeIfAbsent(name, n -> new AtomicLong()).addAndGet(value);
            };
        }

        @Override
        public void gauge(String name, String description, LongSupplier value, String... tags) {}
    };

    @Test
    void everyForcedBatchIsReported() throws Exception {
        try (FileJournal journal = FileJournal.open(Journals.options(directory)
                .segmentBytes(8 * 1024)
                .maxRecordBytes(4096)
                .metrics(sink)
                .build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener);
            for (int i = 1; i <= 20; i++) {
                Entry entry = command(i, 1, "x".repeat(1000));
                g.persist(new Output.Persist(i, Optional.empty(), i, List.of(entry)));
                listener.await(i); // one batch each
            }
        }
        long batches = counts.get("echo.journal.fsync.latency").get();
        assertTrue(batches >= 20, "a force per batch, at least: " + batches);
        assertEquals(counts.get("echo.journal.batch.bytes").get(), batches, "one size per forced batch");
        long written = sums.get("echo.journal.bytes.written").get();
        assertTrue(written > 20 * 1000, "the records' bytes at least: " + written);
        assertEquals(sums.get("echo.journal.batch.bytes").get(), written, "the batches add up to what was written");
        assertTrue(sums.get("echo.journal.segment.rolls").get() >= 3, "20 KB in 8 KiB segments: " + sums);
    }
}
