package dev.echo.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Prepares the next segment file while the writer fills the current one: zero-filled to its full size and forced, so
 * that forces during writing only flush data (no block allocation) and bytes past the end of the data are always
 * zeros, never stale records. A prepared file is renamed into place when the writer rolls.
 *
 * <p>Threading: {@link #take} is called by the writer thread only; preparation runs on one daemon thread.
 */
final class SegmentAllocator implements AutoCloseable {
    private static final int ZERO_CHUNK = 1 << 20;

    private final JournalOptions options;
    private final ExecutorService executor;
    private CompletableFuture<Path> next;
    private long nextSequence = -1;

    SegmentAllocator(JournalOptions options) {
        this.options = options;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "echo-journal-allocator-" + options.nodeId());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Returns the path of segment {@code sequence}, ready for writing and durable in the directory. */
    Path take(long sequence) throws IOException {
        Path target = options.directory().resolve(Segment.fileName(sequence));
        if (options.preallocate()) {
            Path prepared = sequence == nextSequence ? await(next) : prepare(sequence);
            options.fileLayer().moveAtomically(prepared, target);
            nextSequence = sequence + 1;
            next = CompletableFuture.supplyAsync(() -> prepareUnchecked(sequence + 1), executor);
        } else {
            options.fileLayer().open(target).close();
        }
        options.fileLayer().forceDirectory(options.directory());
        return target;
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

    private Path prepare(long sequence) throws IOException {
        Path path = options.directory().resolve(Segment.fileName(sequence) + Segment.PREALLOCATED_SUFFIX);
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        try (StorageFile file = options.fileLayer().open(path)) {
            file.truncate(0);
            for (long at = 0; at < options.segmentBytes(); at += ZERO_CHUNK) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, options.segmentBytes() - at));
                file.writeFully(zeros, at);
            }
            file.force();
        }
        return path;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
