package dev.echo.core.runtime;

import dev.echo.core.MemberId;
import dev.echo.core.StateMachine;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.SnapshotContent;
import dev.echo.core.storage.SnapshotStore;
import dev.echo.core.storage.StorageException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's snapshot work at this member (PROTOCOL.md §8), off the group's loop: writing the snapshots the core asks
 * for, reading chunks of them for members behind, and writing a snapshot received from the leader and restoring the
 * state machine from it. Every result goes back to the loop as an {@link Input}.
 *
 * <p>Threading: the {@code on…} methods are called on the group's loop thread; they only capture what they need and
 * queue the work on the node's snapshot executor, a single thread, which runs it in order and may block on disk. The
 * receiving side's state is touched only by that executor.
 */
final class SnapshotWorker {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWorker.class);

    private final GroupMetrics metrics;
    private final String group;
    private final MemberId self;
    private final SnapshotStore store;
    private final StateMachine stateMachine;
    private final Executor executor;
    private final Consumer<Input> toLoop;
    private final Consumer<Output.Send> send;
    private final Consumer<RuntimeException> restoreFailed;
    /** The node's clock, for the durations the metrics report. */
    private final LongSupplier nanoTime;

    // Executor thread only: the snapshot being received.
    private SnapshotStore.Writer receiving;
    private long receivedBytes;

    SnapshotWorker(
            String group,
            MemberId self,
            SnapshotStore store,
            StateMachine stateMachine,
            Executor executor,
            Consumer<Input> toLoop,
            Consumer<Output.Send> send,
            Consumer<RuntimeException> restoreFailed,
            GroupMetrics metrics,
            LongSupplier nanoTime) {
        this.metrics = metrics;
        this.group = group;
        this.self = self;
        this.store = store;
        this.stateMachine = stateMachine;
        this.executor = executor;
        this.toLoop = toLoop;
        this.send = send;
        this.restoreFailed = restoreFailed;
        this.nanoTime = nanoTime;
    }

    /** Loop thread: capture the state now (the state machine is at the snapshot's index), write it later. */
    void onTake(Output.TakeSnapshot take) {
        StateMachine.Snapshot state = stateMachine.snapshot();
        if (state == null) {
            toLoop.accept(new Input.SnapshotFailed(take.meta().index(), "the state machine takes no snapshots"));
            return;
        }
        executor.execute(() -> {
            RuntimeEvents.SnapshotTaken event = new RuntimeEvents.SnapshotTaken();
            event.begin();
            long started = nanoTime.getAsLong();
            try (SnapshotStore.Writer writer = store.create(take.meta())) {
                CountingStream counted = new CountingStream(writer.stream());
                SnapshotContent.write(counted, take.sessions(), state);
                writer.commit();
                metrics.snapshotsTaken.increment();
                metrics.snapshotTakenBytes.record(counted.bytes);
                metrics.snapshotWriteTime.record(nanoTime.getAsLong() - started);
                if (event.shouldCommit()) {
                    event.group = group;
                    event.member = self.value();
                    event.index = take.meta().index();
                    event.commit();
                }
                toLoop.accept(new Input.SnapshotTaken(take.meta()));
            } catch (IOException | StorageException | RuntimeException e) {
                LOG.warn(
                        "Group {}: snapshot at {} failed: {}",
                        group,
                        take.meta().index(),
                        e.toString());
                toLoop.accept(new Input.SnapshotFailed(take.meta().index(), e.toString()));
            }
        });
    }

    /** Loop thread: read a chunk of a stored snapshot and send it; nothing if it is gone (the leader resends). */
    void onSendChunk(Output.SendSnapshotChunk chunk) {
        executor.execute(() -> {
            SnapshotMeta meta = chunk.meta();
            try (InputStream in = store.open(meta.index())) {
                in.skipNBytes(chunk.offset());
                byte[] data = in.readNBytes(chunk.maxBytes());
                boolean last = in.read() < 0;
                metrics.snapshotBytesSent.add(data.length);
                send.accept(new Output.Send(
                        chunk.to(),
                        new Message.InstallSnapshot(
                                self,
                                chunk.term(),
                                meta.index(),
                                meta.term(),
                                meta.configuration(),
                                meta.configurationIndex(),
                                chunk.offset(),
                                data,
                                last)));
            } catch (IOException | StorageException e) {
                LOG.debug(
                        "Group {}: cannot read snapshot {} for {}: {}", group, meta.index(), chunk.to(), e.toString());
            }
        });
    }

    /** Loop thread: write a received chunk; after the last, make it durable and restore the state machine. */
    void onStoreChunk(Output.StoreSnapshotChunk chunk) {
        executor.execute(() -> storeChunk(chunk));
    }

    private void storeChunk(Output.StoreSnapshotChunk chunk) {
        SnapshotMeta meta = chunk.meta();
        try {
            if (chunk.offset() == 0) {
                abandonReceiving();
                receiving = store.create(meta);
                receivedBytes = 0;
            }
            if (receiving == null || chunk.offset() != receivedBytes) {
                throw new IOException("chunk at " + chunk.offset() + " does not follow " + receivedBytes + " bytes");
            }
            OutputStream out = receiving.stream();
            out.write(chunk.data());
            receivedBytes += chunk.data().length;
            if (!chunk.last()) {
                toLoop.accept(new Input.SnapshotChunkStored(meta.index(), receivedBytes));
                return;
            }
            receiving.commit();
            receiving = null;
        } catch (IOException | StorageException | RuntimeException e) {
            LOG.warn("Group {}: storing snapshot {} failed: {}", group, meta.index(), e.toString());
            abandonReceiving();
            toLoop.accept(new Input.SnapshotFailed(meta.index(), e.toString()));
            return;
        }
        try {
            RuntimeEvents.SnapshotInstalled event = new RuntimeEvents.SnapshotInstalled();
            event.begin();
            long started = nanoTime.getAsLong();
            byte[] sessions = restore(store, meta.index(), stateMachine);
            metrics.snapshotRestoreTime.record(nanoTime.getAsLong() - started);
            metrics.snapshotsInstalled.record(receivedBytes);
            if (event.shouldCommit()) {
                event.group = group;
                event.member = self.value();
                event.index = meta.index();
                event.bytes = receivedBytes;
                event.commit();
            }
            toLoop.accept(new Input.SnapshotInstalled(meta, sessions));
        } catch (IOException | StorageException | RuntimeException e) {
            restoreFailed.accept(new IllegalStateException(
                    "restoring the state machine from snapshot " + meta.index() + " failed: " + e, e));
        }
    }

    /** Executor: the group stopped; drop a half-received snapshot. */
    void close() {
        executor.execute(this::abandonReceiving);
    }

    private void abandonReceiving() {
        if (receiving != null) {
            receiving.close();
            receiving = null;
        }
    }

    /** Restores {@code stateMachine} from the stored snapshot at {@code index}; returns its session table. */
    static byte[] restore(SnapshotStore store, long index, StateMachine stateMachine)
            throws IOException, StorageException {
        try (InputStream in = store.open(index)) {
            return SnapshotContent.restore(in, stateMachine);
        }
    }

    /** Counts the bytes written through it, for the size of a snapshot taken; closing it leaves the target open. */
    private static final class CountingStream extends FilterOutputStream {
        long bytes;

        CountingStream(OutputStream target) {
            super(target);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            bytes++;
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            out.write(data, offset, length);
            bytes += length;
        }

        @Override
        public void close() throws IOException {
            flush(); // the store's stream is never closed by its writers
        }
    }
}
