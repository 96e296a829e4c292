package dev.echo.journal;

import dev.echo.core.MemberId;
import dev.echo.core.metrics.MetricsSink;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a {@link FileJournal}, built with {@link #builder(Path, String, String)}; every value is validated
 * when built. Immutable and thread-safe.
 *
 * @param directory where segments, the identity file and snapshots live
 * @param clusterId the cluster this node belongs to; the journal refuses a directory of another cluster
 * @param nodeId this node's id; the journal refuses a directory of another node
 * @param segmentBytes size of each preallocated segment file
 * @param maxRecordBytes largest record (one entry with its header); larger entries are refused
 * @param writeBufferBytes size of the writer's staging buffer; a batch larger than this takes several writes but
 *     still one force
 * @param preallocate whether segments are prepared to their full size ahead of use, by zero-filling or by reusing a
 *     retired segment (faster forces); turned off only by tests that cut files
 * @param fileLayer the file system, replaceable to inject faults
 * @param idleSpinIterations how long the idle writer polls ({@code Thread.onSpinWait} iterations) before it parks:
 *     spinning saves a wake-up per batch on a machine with a spare core, and costs CPU where members share cores
 * @param invoker if true, the journal starts no thread: the caller runs the writer's queued work with
 *     {@link FileJournal#runPending()}, and segments are prepared on that thread too (for a deterministic simulator)
 * @param writesOnCallerThreads if true (and not {@code invoker}), the journal starts no writer thread: the node writes,
 *     forces and reports what its groups queued on its own loop threads, at the end of each pass, with
 *     {@link FileJournal#runQueuedWrites()}; segments are still prepared on a thread of the journal's own
 *     (docs/architecture.md, "Threads")
 * @param metrics where the journal reports fsync latency, batch sizes, bytes written and segment rolls (issue 24);
 *     {@link MetricsSink#NONE} by default
 */
public record JournalOptions(
        Path directory,
        String clusterId,
        String nodeId,
        int segmentBytes,
        int maxRecordBytes,
        int writeBufferBytes,
        boolean preallocate,
        FileLayer fileLayer,
        int idleSpinIterations,
        boolean invoker,
        boolean writesOnCallerThreads,
        MetricsSink metrics) {
    /** Default segment size: 64 MiB. */
    public static final int DEFAULT_SEGMENT_BYTES = 64 << 20;
    /** Default largest record: 4 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 4 << 20;
    /** Default writer staging buffer: 1 MiB. */
    public static final int DEFAULT_WRITE_BUFFER_BYTES = 1 << 20;
    /** Default idle spin before the writer parks: about 100 µs on current x86 cores. */
    public static final int DEFAULT_IDLE_SPIN_ITERATIONS = 2_000;
    /** Smallest segment accepted (for tests that want many segments). */
    public static final int MIN_SEGMENT_BYTES = 4096;

    /** Validates every setting. */
    public JournalOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(fileLayer, "fileLayer");
        Objects.requireNonNull(metrics, "metrics");
        MemberId.requireName(clusterId, "clusterId");
        MemberId.requireName(nodeId, "nodeId");
        if (segmentBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException(
                    "segmentBytes must be at least " + MIN_SEGMENT_BYTES + ": " + segmentBytes);
        }
        if (maxRecordBytes < 256 || maxRecordBytes > segmentBytes / 2) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be in 256..segmentBytes/2 (" + segmentBytes / 2 + "): " + maxRecordBytes);
        }
        if (writeBufferBytes < 4096) {
            throw new IllegalArgumentException("writeBufferBytes must be at least 4096: " + writeBufferBytes);
        }
        if (idleSpinIterations < 0) {
            throw new IllegalArgumentException("idleSpinIterations must not be negative: " + idleSpinIterations);
        }
    }

    /** Starts options for a journal in {@code directory}, owned by {@code nodeId} of {@code clusterId}. */
    public static Builder builder(Path directory, String clusterId, String nodeId) {
        return new Builder(directory, clusterId, nodeId);
    }

    /** Builds {@link JournalOptions}; not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private final String clusterId;
        private final String nodeId;
        private int segmentBytes = DEFAULT_SEGMENT_BYTES;
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private int writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
        private boolean preallocate = true;
        private FileLayer fileLayer = FileLayer.nio();
        private int idleSpinIterations = DEFAULT_IDLE_SPIN_ITERATIONS;
        private boolean invoker;
        private boolean writesOnCallerThreads;
        private MetricsSink metrics = MetricsSink.NONE;

        private Builder(Path directory, String clusterId, String nodeId) {
            this.directory = directory;
            this.clusterId = clusterId;
            this.nodeId = nodeId;
        }

        /** Size of each segment file. */
        public Builder segmentBytes(int bytes) {
            this.segmentBytes = bytes;
            return this;
        }

        /** Largest record accepted. */
        public Builder maxRecordBytes(int bytes) {
            this.maxRecordBytes = bytes;
            return this;
        }

        /** Size of the writer's staging buffer. */
        public Builder writeBufferBytes(int bytes) {
            this.writeBufferBytes = bytes;
            return this;
        }

        /** Whether segments are zero-filled ahead of use. */
        public Builder preallocate(boolean enabled) {
            this.preallocate = enabled;
            return this;
        }

        /** The file system to use. */
        public Builder fileLayer(FileLayer layer) {
            this.fileLayer = layer;
            return this;
        }

        /** Idle spin before the writer parks (default 2,000; 0 parks at once). */
        public Builder idleSpinIterations(int iterations) {
            this.idleSpinIterations = iterations;
            return this;
        }

        /**
         * Whether the journal runs without threads of its own (default false): the caller drives its writer with
         * {@link FileJournal#runPending()}. Blocking calls ({@link FileJournal#openGroup}, {@code reincarnate},
         * {@link FileJournal#close}) run the writer themselves.
         */
        public Builder invoker(boolean value) {
            this.invoker = value;
            return this;
        }

        /**
         * Whether the node's loop threads write and force the queued records, at the end of each pass, instead of a
         * writer thread of the journal's own (default false). It spares every batch two hand-offs between threads
         * (docs/benchmarks.md, "The journal forced on the loops' threads"); a loop thread then waits for each force.
         */
        public Builder writesOnCallerThreads(boolean value) {
            this.writesOnCallerThreads = value;
            return this;
        }

        /** Where the journal reports its metrics (default {@link MetricsSink#NONE}). */
        public Builder metrics(MetricsSink value) {
            this.metrics = value;
            return this;
        }

        /** Validates and builds. */
        public JournalOptions build() {
            return new JournalOptions(
                    directory,
                    clusterId,
                    nodeId,
                    segmentBytes,
                    maxRecordBytes,
                    writeBufferBytes,
                    preallocate,
                    fileLayer,
                    idleSpinIterations,
                    invoker,
                    writesOnCallerThreads,
                    metrics);
        }
    }
}
