package dev.echo.journal;

import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import dev.echo.journal.rules.JournalRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The journal's single writer (ARCHITECTURE.md "The runtime"): it drains every queued persist of every group, copies
 * the records into one staging buffer, writes, does <b>one</b> force for the whole batch, and only then reports each
 * group's highest ticket durable. A SEAL record after each forced batch lets recovery tell a torn write from damage
 * to forced data.
 *
 * <p>Threading: {@link #submit}, {@link #hasPendingWork} and {@link #waitingForSpace} are called from any thread;
 * everything else runs on the writer thread, or, in invoker mode ({@link JournalOptions#invoker()}) and with writes on
 * the callers' threads ({@link JournalOptions#writesOnCallerThreads()}), on the thread that calls {@link #runPending},
 * one at a time ({@link FileJournal} holds a lock around it). A failed write or force stops the writer for good
 * (fail-stop) and fails every waiter with a typed error.
 *
 * <p>A full disk is not a failure (issue 22). With preallocated segments, records are written only into space already
 * allocated, so the disk can be full only when the next segment is prepared. The writer rolls early, between work
 * items, whenever an item might not fit the current segment; if the next segment cannot be had for lack of space, the
 * item waits (with everything queued after it), every group is told {@code storageFull}, and the writer tries again
 * every {@link #FULL_RETRY_NANOS} until it can write, then tells them {@code storageAvailable}. Nothing reported
 * durable is touched, so nothing acknowledged is lost.
 */
final class JournalWriter implements Runnable {
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Copies of the seal a clean shutdown writes (see {@link #run}). */
    private static final int CLOSING_SEALS = 3;
    /** Bytes of the largest small record (seal, truncate, compact). */
    private static final int SMALL_RECORD_BYTES = RecordFormat.HEADER_BYTES + 64;
    /** Room kept free in every segment for the seals a batch and a clean shutdown write, so they never roll. */
    private static final int SEAL_RESERVE = (CLOSING_SEALS + 2) * SMALL_RECORD_BYTES;
    /** How often a writer held back by a full disk tries again to prepare the next segment. */
    static final long FULL_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final JournalOptions options;
    private final JournalRules rules;
    private final Map<Integer, GroupState> groups;
    private final ConcurrentNavigableMap<Long, Segment> segments;
    private final SegmentAllocator allocator;
    private final ConcurrentLinkedQueue<Work> queue = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer;
    private final ByteBuffer small = ByteBuffer.allocate(RecordFormat.HEADER_BYTES + 64);
    private final PendingIndexUpdates indexUpdates = new PendingIndexUpdates();
    private final List<FileGroupJournal> touched = new ArrayList<>();
    private final List<Work.Register> registered = new ArrayList<>();

    private volatile Thread thread;
    private volatile boolean parked;
    private volatile StorageException failure;
    private Segment current;
    private long position;
    private long bufferStart;
    private boolean sealPending;
    private boolean compacted;
    /** Volatile: read by {@link #hasPendingWork} from any thread. */
    private volatile Work.Stop stop;
    /** The work item held back because the disk has no room for the segment it needs, or null. */
    private volatile Work heldBack;
    /** The groups were told the disk is full, and not yet that it has room again. */
    private boolean toldFull;
    /** Record bytes placed since the last forced batch, for its flight-recorder event and metrics. */
    private long batchBytes;

    private final MetricsSink.Histogram fsyncLatency;
    private final MetricsSink.Histogram batchSize;
    private final MetricsSink.Counter bytesWritten;
    private final MetricsSink.Counter segmentRolls;
    private final boolean timesForces;

    JournalWriter(
            JournalOptions options,
            Map<Integer, GroupState> groups,
            ConcurrentNavigableMap<Long, Segment> segments,
            SegmentAllocator allocator,
            JournalRules rules) {
        this.options = options;
        this.rules = rules;
        this.groups = groups;
        this.segments = segments;
        this.allocator = allocator;
        this.buffer = ByteBuffer.allocateDirect(options.writeBufferBytes());
        MetricsSink metrics = options.metrics();
        String[] tags = {"node", options.nodeId()};
        this.fsyncLatency =
                metrics.histogram("echo.journal.fsync.latency", "one force of a batch", "nanoseconds", tags);
        this.batchSize = metrics.histogram("echo.journal.batch.bytes", "record bytes per forced batch", "bytes", tags);
        this.bytesWritten = metrics.counter("echo.journal.bytes.written", "record bytes written", tags);
        this.segmentRolls = metrics.counter("echo.journal.segment.rolls", "segments started", tags);
        this.timesForces = metrics != MetricsSink.NONE;
    }

    /** Starts a new segment after {@code previousEnd} of the last one (or the first segment) and starts the thread. */
    void start(long previousEnd) throws StorageException {
        try {
            current = null;
            openNextSegment(previousEnd);
            flush();
            current.file.force();
        } catch (IOException e) {
            throw new StorageException(
                    OutOfSpace.is(e) ? Reason.STORAGE_FULL : Reason.WRITE_FAILED, "cannot start a segment", e);
        }
        if (options.invoker() || options.writesOnCallerThreads()) {
            return; // the callers drive the writer with runPending
        }
        Thread writer = new Thread(this, "echo-journal-writer-" + options.nodeId());
        writer.setDaemon(true);
        thread = writer;
        writer.start();
    }

    /** Queues work; never blocks. */
    void submit(Work work) throws StorageException {
        StorageException failed = failure;
        if (failed != null) {
            throw failed;
        }
        queue.offer(work);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Waits for the writer thread to end. */
    void join() {
        Thread writer = thread;
        if (writer == null || writer == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            while (stop == null) {
                runBatch(awaitWork());
            }
            finishStop();
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException | Error e) {
            fail(e);
            throw e;
        }
    }

    /**
     * Whether work is queued that {@link #runPending} would run. Work held back by a full disk is not: it waits for
     * space, which {@link #waitingForSpace} tells, and a caller retries it at its own pace.
     */
    boolean hasPendingWork() {
        return failure == null && stop == null && heldBack == null && !queue.isEmpty();
    }

    /** Whether work is held back because the disk had no room for the next segment. */
    boolean waitingForSpace() {
        return failure == null && heldBack != null;
    }

    /**
     * Invoker mode, or writes on the callers' threads: runs one batch of the queued work as the writer thread would
     * (write, one force, report), then seals it as an idle writer does.
     *
     * @return whether there was work to run
     */
    boolean runPending() {
        if (!hasPendingWork() && !waitingForSpace()) {
            return false;
        }
        try {
            Work work = heldBack != null ? resumeHeldBack() : queue.poll();
            if (work == null) {
                return false; // the disk is still full; the caller tries again later
            }
            runBatch(work);
            if (stop != null) {
                finishStop();
            } else if (queue.isEmpty()) {
                placeSeal();
                flush(); // not forced, as in awaitWork
            }
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException | Error e) {
            fail(e);
            throw e;
        }
        return true;
    }

    private void runBatch(Work work) throws IOException {
        if (sealPending) {
            placeSeal();
        }
        process(work);
        drainQueue();
        completeBatch();
    }

    private void finishStop() throws IOException {
        // A clean shutdown leaves its last batch sealed, so recovery can prove it durable. The seal is the only
        // evidence that the batch before it was forced, so it is written several times: damage to the batch and to
        // every copy would be needed to make a durable batch look like a torn write.
        for (int copy = 0; copy < CLOSING_SEALS; copy++) {
            placeSeal();
        }
        flush();
        current.file.force();
        stop.done().complete(null);
    }

    private Work awaitWork() throws IOException {
        int idle = 0;
        while (true) {
            if (heldBack != null) {
                Work resumed = resumeHeldBack();
                if (resumed != null) {
                    return resumed;
                }
                LockSupport.parkNanos(this, FULL_RETRY_NANOS);
                continue;
            }
            Work work = queue.poll();
            if (work != null) {
                return work;
            }
            if (sealPending) {
                placeSeal();
                flush(); // not forced: the seal only needs to survive a process crash, see Recovery
                continue;
            }
            if (idle < options.idleSpinIterations()) {
                idle++;
                Thread.onSpinWait();
                continue;
            }
            parked = true;
            if (queue.isEmpty()) {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            parked = false;
        }
    }

    private boolean batchFull() {
        return stop != null || position - bufferStart >= options.writeBufferBytes() * 4L;
    }

    private void drainQueue() throws IOException {
        Work work;
        while (heldBack == null && !batchFull() && (work = queue.poll()) != null) {
            process(work);
        }
    }

    /**
     * The held-back item, once the disk has room for the segment it needs (the groups are then told), or a stop asked
     * meanwhile (closing needs only the room kept for seals), or null while the disk is still full.
     */
    private Work resumeHeldBack() throws IOException {
        for (Work queued : queue) {
            if (queued instanceof Work.Stop && queue.remove(queued)) {
                return queued;
            }
        }
        if (!roomFor(heldBack)) {
            return null;
        }
        Work resumed = heldBack;
        heldBack = null;
        toldFull = false;
        for (GroupState group : groups.values()) {
            if (group.handle != null) {
                group.handle.listener().storageAvailable();
            }
        }
        return resumed;
    }

    /**
     * Whether {@code work} fits the current segment, rolling to the next one first if it might not. False only when
     * that roll found no room on the disk for the next segment. An item larger than half a segment rolls as it goes,
     * as before (a full disk then stops the journal): appends are bounded far below that by the protocol's batching.
     */
    private boolean roomFor(Work work) throws IOException {
        long need = bytesNeeded(work) + SEAL_RESERVE;
        if (position + need <= options.segmentBytes() || need > options.segmentBytes() / 2) {
            return true;
        }
        try {
            roll();
            return true;
        } catch (ForceFailed failed) {
            throw failed;
        } catch (IOException noSegment) {
            if (!OutOfSpace.is(noSegment)) {
                throw noSegment;
            }
            return false;
        }
    }

    /** An upper bound of the bytes {@code work} places. */
    private static long bytesNeeded(Work work) {
        if (work instanceof Work.Append append) {
            return append.records().limit() + SMALL_RECORD_BYTES; // a TRUNCATE may come first
        }
        if (work instanceof Work.Register register) {
            return RecordFormat.recordSize(SegmentHeader.identitySize(register.identity()));
        }
        return SMALL_RECORD_BYTES;
    }

    /** The disk had no room for the next segment: {@code work} waits, and the groups are told once. */
    private void holdBack(Work work) {
        heldBack = work;
        if (toldFull) {
            return;
        }
        toldFull = true;
        StorageException full = new StorageException(
                Reason.STORAGE_FULL,
                "the disk has no room for the next journal segment; writes wait until space returns",
                null);
        for (GroupState group : groups.values()) {
            if (group.handle != null) {
                group.handle.listener().storageFull(full);
            }
        }
    }

    private void process(Work work) throws IOException {
        if (!(work instanceof Work.Stop) && options.preallocate() && !roomFor(work)) {
            holdBack(work);
            return;
        }
        if (work instanceof Work.Append append) {
            processAppend(append);
        } else if (work instanceof Work.Compact compact) {
            processCompact(compact);
        } else if (work instanceof Work.Register register) {
            GroupState group = register.group();
            group.identity = register.identity();
            ByteBuffer record =
                    ByteBuffer.allocate(RecordFormat.recordSize(SegmentHeader.identitySize(group.identity)));
            int start = RecordFormat.begin(record);
            SegmentHeader.writeIdentity(group.identity, record);
            RecordFormat.finish(record, start, RecordType.GROUP, group.number, 0, 0);
            record.flip();
            place(record);
            boolean nextLife = groups.put(group.number, group) != null;
            registered.add(register);
            if (nextLife) {
                // A second copy of the new incarnation, in the next segment's header: a damaged GROUP record alone
                // must never bring back an earlier life (PROTOCOL.md §5). Reincarnations are rare; a roll is cheap.
                roll();
            }
        } else {
            stop = (Work.Stop) work;
        }
    }

    private void processAppend(Work.Append append) throws IOException {
        FileGroupJournal handle = append.group();
        GroupState group = handle.state();
        ByteBuffer records = append.records();
        int[] offsets = append.entryOffsets();
        int hardStateEnd = offsets.length > 0 ? offsets[0] : records.limit();
        if (hardStateEnd > 0) {
            place(records, 0, hardStateEnd);
            group.hardState = append.hardState();
        }
        long firstIndex = append.firstIndex();
        if (offsets.length > 0 || firstIndex <= group.writtenLastIndex) {
            if (firstIndex <= group.index.snapshotIndex() || firstIndex > group.writtenLastIndex + 1) {
                handle.breakStream(new StorageException(
                        Reason.ILLEGAL_STATE,
                        "persist from index " + firstIndex + " does not fit log " + group.index.snapshotIndex() + ".."
                                + group.writtenLastIndex));
                return;
            }
            if (firstIndex <= group.writtenLastIndex) {
                placeSmall(RecordType.TRUNCATE, group.number, 0, firstIndex, -1);
                group.writtenLastIndex = firstIndex - 1;
                indexUpdates.truncateFrom(group, firstIndex);
            }
        }
        for (int i = 0; i < offsets.length; i++) {
            int end = i + 1 < offsets.length ? offsets[i + 1] : records.limit();
            long at = place(records, offsets[i], end);
            indexUpdates.append(group, firstIndex + i, append.terms()[i], at);
            // Per entry: a segment rolled in the middle of this append must record, in its header, every entry
            // placed before it, or a recovery that starts there would find the log out of sequence.
            group.writtenLastIndex = firstIndex + i;
        }
        report(handle, append.ticket());
    }

    private void processCompact(Work.Compact compact) throws IOException {
        FileGroupJournal handle = compact.group();
        GroupState group = handle.state();
        flush(); // the index must be current to decide whether the suffix matches
        long index = compact.snapshot().index();
        long term = compact.snapshot().term();
        // A faulted group is repaired by any snapshot, even one older than the damaged log claimed to start after.
        if (index > group.index.snapshotIndex() || group.fault != null) {
            boolean keepSuffix = group.fault == null && group.index.matches(index, term);
            placeSmall(RecordType.COMPACT, group.number, term, index, keepSuffix ? 1 : 0);
            flush();
            group.index.compact(index, term, keepSuffix);
            group.writtenLastIndex = group.index.lastIndex();
            if (!keepSuffix) {
                group.fault = null;
            }
            compacted = true;
        }
        report(handle, compact.ticket());
    }

    private void report(FileGroupJournal handle, long ticket) {
        if (handle.reportTicket < 0) {
            touched.add(handle);
        }
        handle.reportTicket = ticket;
    }

    private void completeBatch() throws IOException {
        flush();
        FsyncBatchEvent event = new FsyncBatchEvent();
        event.begin();
        if (rules.forceBeforeReporting()) {
            long forceStart = timesForces ? System.nanoTime() : 0;
            forceCurrent();
            if (timesForces) {
                fsyncLatency.record(System.nanoTime() - forceStart);
            }
        }
        batchSize.record(batchBytes);
        bytesWritten.add(batchBytes);
        if (event.shouldCommit()) {
            event.node = options.nodeId();
            event.bytes = batchBytes;
            event.groups = touched.size();
            event.commit();
        }
        batchBytes = 0;
        sealPending = true;
        if (compacted) {
            compacted = false;
            retireUnneededSegments(); // before reporting, so a caller that saw the ticket sees the space released
        }
        for (FileGroupJournal handle : touched) {
            long ticket = handle.reportTicket;
            handle.reportTicket = -1;
            handle.listener().persisted(ticket);
        }
        touched.clear();
        for (Work.Register register : registered) {
            register.done().complete(null);
        }
        registered.clear();
    }

    private void retireUnneededSegments() throws IOException {
        long oldestNeeded = current.sequence;
        for (GroupState group : groups.values()) {
            oldestNeeded = Math.min(oldestNeeded, group.index.oldestSegment());
        }
        boolean retired = false;
        for (Segment segment : segments.headMap(oldestNeeded).values()) {
            segments.remove(segment.sequence);
            segment.closeQuietly();
            allocator.retire(segment.path);
            retired = true;
        }
        if (retired) {
            options.fileLayer().forceDirectory(options.directory());
        }
    }

    private void placeSeal() throws IOException {
        sealPending = false;
        placeSmall(RecordType.SEAL, 0, 0, 0, -1);
    }

    private void placeSmall(RecordType type, int group, long term, long index, int flag) throws IOException {
        small.clear();
        int start = RecordFormat.begin(small);
        if (flag >= 0) {
            small.put((byte) flag);
        }
        RecordFormat.finish(small, start, type, group, term, index);
        small.flip();
        place(small);
    }

    /** Appends one record's bytes (its remaining ones) at the end of the journal and returns its packed position. */
    private long place(ByteBuffer record) throws IOException {
        return place(record, record.position(), record.limit());
    }

    /**
     * Appends the record held in {@code records} between {@code from} and {@code to} at the end of the journal and
     * returns its packed position. Copies by absolute bulk put, so placing a record allocates nothing.
     */
    private long place(ByteBuffer records, int from, int to) throws IOException {
        int length = to - from;
        if (position + length > options.segmentBytes()) {
            roll();
        }
        long at = LogIndex.pack(current.sequence, position);
        if (length > buffer.remaining()) {
            flush();
        }
        int mask = current.format.mask(); // the record names its segment (RecordFormat)
        if (length > buffer.capacity()) {
            records.putInt(from + 32, records.getInt(from + 32) ^ mask); // the caller's buffer is not used again
            current.file.writeFully(records.duplicate().limit(to).position(from), position);
            bufferStart = position + length;
        } else {
            int into = buffer.position();
            buffer.put(into, records, from, length);
            buffer.putInt(into + 32, buffer.getInt(into + 32) ^ mask);
            buffer.position(into + length);
        }
        position += length;
        batchBytes += length;
        return at;
    }

    /** Writes the staging buffer (without forcing) and publishes the index updates of what it held. */
    private void flush() throws IOException {
        buffer.flip();
        if (buffer.hasRemaining()) {
            current.file.writeFully(buffer, bufferStart);
        }
        buffer.clear();
        bufferStart = position;
        indexUpdates.publish();
    }

    private void forceCurrent() throws IOException {
        try {
            current.file.force();
        } catch (IOException e) {
            throw new ForceFailed(e);
        }
    }

    private void roll() throws IOException {
        flush();
        forceCurrent();
        openNextSegment(position);
    }

    private void openNextSegment(long previousEnd) throws IOException {
        long sequence = current == null ? (segments.isEmpty() ? 1 : segments.lastKey() + 1) : current.sequence + 1;
        Path path = allocator.take(sequence);
        Segment segment = new Segment(sequence, path, options.fileLayer().open(path));
        segmentRolls.increment();
        segments.put(sequence, segment);
        current = segment;
        position = 0;
        bufferStart = 0;
        SegmentHeader header =
                new SegmentHeader(options.clusterId(), options.nodeId(), sequence, previousEnd, summaries());
        int size = header.encodedSize();
        if (RecordFormat.recordSize(size) > options.segmentBytes() / 2) {
            throw new IOException("segment header of " + size + " bytes does not fit segments of "
                    + options.segmentBytes() + " bytes: too many groups for this segment size");
        }
        ByteBuffer record = ByteBuffer.allocate(RecordFormat.recordSize(size));
        int start = RecordFormat.begin(record);
        header.write(record);
        RecordFormat.finish(record, start, RecordType.SEGMENT_HEADER, 0, 0, sequence);
        record.flip();
        place(record);
    }

    private List<SegmentHeader.GroupSummary> summaries() {
        List<SegmentHeader.GroupSummary> summaries = new ArrayList<>(groups.size());
        for (GroupState group : groups.values()) {
            summaries.add(new SegmentHeader.GroupSummary(
                    group.number,
                    group.identity,
                    group.hardState,
                    group.index.snapshotIndex(),
                    group.index.snapshotTerm(),
                    group.writtenLastIndex,
                    group.fault != null));
        }
        return summaries;
    }

    private void fail(Throwable cause) {
        Throwable root = cause instanceof ForceFailed ? cause.getCause() : cause;
        Reason reason = cause instanceof ForceFailed
                ? Reason.FORCE_FAILED
                : OutOfSpace.is(root) ? Reason.STORAGE_FULL : Reason.WRITE_FAILED;
        StorageException failed = new StorageException(
                reason,
                "journal stopped after a failed " + (reason == Reason.FORCE_FAILED ? "force" : "write") + ": "
                        + root.getMessage(),
                root);
        failure = failed;
        for (GroupState group : groups.values()) {
            FileGroupJournal handle = group.handle;
            if (handle != null) {
                handle.listener().failed(failed);
            }
        }
        for (Work.Register register : registered) {
            register.done().completeExceptionally(failed);
        }
        Work work;
        while ((work = queue.poll()) != null) {
            if (work instanceof Work.Register register) {
                register.done().completeExceptionally(failed);
            } else if (work instanceof Work.Stop stopping) {
                stopping.done().complete(null);
            }
        }
        if (stop != null) {
            stop.done().complete(null);
        }
    }

    /** Distinguishes a failed force from a failed write inside the writer. */
    private static final class ForceFailed extends IOException {
        private static final long serialVersionUID = 1L;

        ForceFailed(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
