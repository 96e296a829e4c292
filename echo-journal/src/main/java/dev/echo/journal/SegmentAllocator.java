package dev.echo.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Prepares the next segment file while the writer fills the current one, so that forces during writing only flush
 * data (no block allocation). It reuses a segment the journal no longer needs when one is kept ({@link #retire}), else
 * zero-fills a new file to its full size and forces it. A reused file still holds its previous life's records past
 * the new data; their checksums name the old segment, so they never pass for records of the new one (RecordFormat).
 * Reuse spares the disk the zero-filling, which otherwise writes as many bytes as the journal does and slows its
 * forces (docs/benchmarks.md). A prepared file is renamed into place when the writer rolls.
 *
 * <p>Threading: {@link #take} and {@link #retire} are called by the writer thread only; preparation runs on one daemon
 * thread, or in invoker mode on the writer's thread, inside {@link #take}.
 */
final class SegmentAllocator implements AutoCloseable {
    private static final int ZERO_CHUNK = 1 << 20;
    /** Retired segments kept for reuse; more are deleted. Two cover a roll while the next one is prepared. */
    private static final int MAX_KEPT = 2;

    private static final String KEPT_PREFIX = "retired-";

    private final JournalOptions options;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Path> kept = new ConcurrentLinkedQueue<>();
    private CompletableFuture<Path> next;
    /** Zeros for new segments, allocated once: a full disk makes preparation run again and again. */
    private ByteBuffer zeros;

    private long nextSequence = -1;

    SegmentAllocator(JournalOptions options) {
        this.options = options;
        this.executor = options.invoker()
                ? null
                : Executors.newSingleThreadExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "echo-journal-allocator-" + options.nodeId());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Returns the path of segment {@code sequence}, ready for writing and durable in the directory. */
    Path take(long sequence) throws IOException {
        Path target = options.directory().resolve(Segment.fileName(sequence));
        if (options.preallocate()) {
            Path prepared = sequence == nextSequence ? awaitOrPrepareAgain(next, sequence) : prepare(sequence);
            options.fileLayer().moveAtomically(prepared, target);
            nextSequence = sequence + 1;
            next = executor == null
                    ? prepareNow(sequence + 1)
                    : CompletableFuture.supplyAsync(() -> prepareUnchecked(sequence + 1), executor);
        } else {
            options.fileLayer().open(target).close();
        }
        options.fileLayer().forceDirectory(options.directory());
        return target;
    }

    /**
     * Prepares segment {@code sequence} on this thread (invoker mode). A failure, such as a full disk, is kept for
     * when the segment is needed: the segment taken now has room, and the disk may have room again by then.
     */
    private CompletableFuture<Path> prepareNow(long sequence) {
        try {
            return CompletableFuture.completedFuture(prepare(sequence));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The segment prepared ahead, or, if preparing it failed, a second attempt now (it throws if that fails too). */
    private Path awaitOrPrepareAgain(CompletableFuture<Path> future, long sequence) throws IOException {
        try {
            return await(future);
        } catch (IOException failed) {
            return prepare(sequence);
        }
    }

    private Path await(CompletableFuture<Path> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while preparing a segment", e);
        } catch (ExecutionException e) {
            throw new IOException("cannot prepare a segment: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Path prepareUnchecked(long sequence) {
        try {
            return prepare(sequence);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A segment no longer needed (its file closed): kept for reuse under a name that is not a segment's (a
     * preallocated one, which the journal deletes when it opens), or deleted. The caller forces the directory.
     */
    void retire(Path segment) throws IOException {
        if (options.preallocate() && kept.size() < MAX_KEPT && fullSize(segment)) {
            Path keep = options.directory().resolve(KEPT_PREFIX + segment.getFileName() + Segment.PREALLOCATED_SUFFIX);
            options.fileLayer().moveAtomically(segment, keep);
            kept.offer(keep);
        } else {
            options.fileLayer().delete(segment);
        }
    }

    private boolean fullSize(Path segment) throws IOException {
        try (StorageFile file = options.fileLayer().openReadOnly(segment)) {
            return file.size() == options.segmentBytes();
        }
    }

    private Path prepare(long sequence) throws IOException {
        Path path = options.directory().resolve(Segment.fileName(sequence) + Segment.PREALLOCATED_SUFFIX);
        Path reused = kept.poll();
        if (reused != null) {
            options.fileLayer().moveAtomically(reused, path); // its blocks are allocated and were forced long ago
            return path;
        }
        ByteBuffer zeros = zeros().duplicate(); // its own position: the helper and the writer may both prepare
        try (StorageFile file = options.fileLayer().open(path)) {
            file.truncate(0);
            for (long at = 0; at < options.segmentBytes(); at += ZERO_CHUNK) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, options.segmentBytes() - at));
                file.writeFully(zeros, at);
                // Forced chunk by chunk: one force of the whole segment at the end flushed 64 MiB at once, and the
                // journal's own forces queued behind it (docs/benchmarks.md, "Zero-filling in small forces").
                file.force();
            }
        }
        return path;
    }

    private synchronized ByteBuffer zeros() {
        if (zeros == null) {
            zeros = ByteBuffer.allocateDirect(Math.min(ZERO_CHUNK, options.segmentBytes()));
        }
        return zeros;
    }

    /**
     * Stops preparing segments and waits for the helper to finish, so that no file appears in the directory after
     * the journal closed (a half-prepared one is left under a preallocated name, which the next open deletes).
     */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the segment preparer did not stop within 30 s");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
