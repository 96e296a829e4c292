package dev.echo.journal;

import dev.echo.core.codec.EntryCodec;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.LogOutline;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.Journal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.RecoveredGroup;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import dev.echo.journal.rules.JournalRules;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The file journal: one per node, shared by all its groups (see the package description for the format and the
 * recovery rules).
 *
 * <p>Threading: thread-safe. {@link #open}, {@link #openGroup} and {@link #close} block on disk I/O. In invoker mode
 * ({@link JournalOptions#invoker()}) the journal has no thread: {@link #runPending()} does the writer's work. With
 * writes on the callers' threads ({@link JournalOptions#writesOnCallerThreads()}) it has no writer thread: the node's
 * loop threads call {@link #runQueuedWrites()}, which blocks on the force.
 */
public final class FileJournal implements Journal {
    private final JournalOptions options;
    private final EntryCodec codec;
    private final DirectoryOwner owner;
    private final ConcurrentNavigableMap<Integer, GroupState> groups = new ConcurrentSkipListMap<>();
    private final ConcurrentNavigableMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final SegmentAllocator allocator;
    private final JournalWriter writer;
    private final StorageException unattributedDamage;
    private final EntryReader reader;
    private volatile boolean closed;
    /** Writes on the callers' threads: one caller at a time runs the writer. */
    private final ReentrantLock callerWrites = new ReentrantLock();
    /** Writes on the callers' threads: when a write held back by a full disk was last tried again. */
    private final AtomicLong lastFullRetryNanos = new AtomicLong(System.nanoTime());

    private FileJournal(JournalOptions options, DirectoryOwner owner, JournalRules rules) throws StorageException {
        this.options = options;
        this.owner = owner;
        this.codec = new EntryCodec(options.maxRecordBytes());
        Recovery recovery = new Recovery(options, codec, rules);
        recovery.run(segmentFiles());
        for (GroupState group : recovery.groups.values()) {
            group.writtenLastIndex = group.index.lastIndex();
            groups.put(group.number, group);
        }
        for (Segment segment : recovery.segments) {
            segments.put(segment.sequence, segment);
        }
        this.unattributedDamage = recovery.unattributedDamage;
        this.reader = new EntryReader(
                segments,
                codec,
                options.maxRecordBytes(),
                options.metrics()
                        .counter(
                                "echo.journal.entries.read",
                                "log entries read back from the segments",
                                "node",
                                options.nodeId()));
        this.allocator = new SegmentAllocator(options);
        this.writer = new JournalWriter(options, groups, segments, allocator, rules);
        writer.start(recovery.lastSegmentEnd);
    }

    /**
     * Opens (or creates) the journal in {@code options.directory()} and recovers every group's state.
     *
     * @throws StorageException {@code WRONG_OWNER} if the directory belongs to another node or cluster,
     *     {@code ILLEGAL_STATE} if it is already open, {@code UNKNOWN_RECORD_TYPE} or {@code UNSUPPORTED_VERSION}
     *     for data written by a newer version, {@code IO} if the files cannot be read
     */
    public static FileJournal open(JournalOptions options) throws StorageException {
        return open(options, JournalRules.STRICT);
    }

    /**
     * As {@link #open(JournalOptions)}, with some of the journal's rules broken: for the testkit's mutants only. The
     * rules' package is exported to the testkit alone, so an application cannot call this.
     */
    public static FileJournal open(JournalOptions options, JournalRules rules) throws StorageException {
        Objects.requireNonNull(rules, "rules");
        DirectoryOwner owner = DirectoryOwner.claim(options);
        try {
            return new FileJournal(options, owner, rules);
        } catch (StorageException | RuntimeException e) {
            owner.close();
            throw e;
        }
    }

    JournalOptions options() {
        return options;
    }

    @Override
    public SortedSet<String> groupNames() {
        SortedSet<String> names = new TreeSet<>();
        for (GroupState group : groups.values()) {
            names.add(group.identity.groupName());
        }
        return names;
    }

    @Override
    public synchronized GroupJournal openGroup(GroupIdentity identity, PersistListener listener)
            throws StorageException {
        checkOpen();
        GroupState state = find(identity.groupName());
        if (state == null) {
            state = register(identity);
        } else if (!state.identity.member().equals(identity.member())) {
            throw new StorageException(
                    Reason.WRONG_OWNER,
                    "group " + identity.groupName() + " is recorded for member " + state.identity.member() + ", not "
                            + identity.member());
        } else if (state.handle != null) {
            throw new StorageException(Reason.ILLEGAL_STATE, "group " + identity.groupName() + " is already open");
        }
        FileSnapshotStore snapshots = new FileSnapshotStore(
                options.directory().resolve("snapshots").resolve(identity.groupName()),
                options.fileLayer(),
                state.index::snapshotIndex);
        long snapshotIndex = state.index.snapshotIndex();
        if (state.fault == null && snapshotIndex > 0 && !snapshots.has(snapshotIndex)) {
            state.fault(new StorageException(
                    Reason.MISSING_SNAPSHOT,
                    "group " + identity.groupName() + " log starts after snapshot " + snapshotIndex
                            + ", which is missing or damaged"));
        }
        Optional<StorageException> fault = Optional.ofNullable(state.fault);
        long lastIndex = fault.isEmpty() ? state.index.lastIndex() : snapshotIndex;
        Optional<LogOutline> outline = fault.isEmpty() && state.outlineFresh
                ? Optional.of(new LogOutline(
                        lastIndex, state.index.termStarts(), new ArrayList<>(state.configurations.values())))
                : Optional.empty();
        state.outlineFresh = false;
        state.configurations.clear();
        RecoveredGroup recovered = new RecoveredGroup(
                state.identity, state.hardState, snapshotIndex, state.index.snapshotTerm(), lastIndex, fault, outline);
        FileGroupJournal opened = new FileGroupJournal(this, state, recovered, listener, snapshots, codec);
        state.handle = opened;
        return opened;
    }

    private GroupState find(String name) {
        for (GroupState group : groups.values()) {
            if (group.identity.groupName().equals(name)) {
                return group;
            }
        }
        return null;
    }

    private GroupState register(GroupIdentity identity) throws StorageException {
        int number = groups.isEmpty() ? 1 : groups.lastKey() + 1;
        GroupState state = new GroupState(number, identity, HardState.INITIAL, new LogIndex(0, 0));
        if (unattributedDamage != null) {
            state.fault(unattributedDamage); // its registration may have been in the damaged bytes
        }
        registerDurably(state, identity);
        return state;
    }

    /** Writes {@code state}'s registration under {@code identity} and waits until it is forced. */
    void registerDurably(GroupState state, GroupIdentity identity) throws StorageException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new Work.Register(state, identity, done));
        runInline(done);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(Reason.ILLEGAL_STATE, "interrupted while registering a group", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StorageException failed
                    ? failed
                    : new StorageException(Reason.WRITE_FAILED, "cannot register group", e.getCause());
        }
    }

    /**
     * Invoker mode ({@link JournalOptions#invoker()}): writes, forces and reports one batch of the queued persists,
     * as the writer thread would. Call it from one thread at a time. (With writes on the callers' threads, call
     * {@link #runQueuedWrites()}.)
     *
     * @return whether there was work to run
     * @throws IllegalStateException if the journal runs its own writer thread
     */
    public boolean runPending() {
        if (!options.invoker()) {
            throw new IllegalStateException("the journal runs its own writer; runPending is for invoker mode");
        }
        return writer.runPending();
    }

    @Override
    public boolean writesOnCallerThreads() {
        return options.writesOnCallerThreads() && !options.invoker();
    }

    /**
     * Writes on the callers' threads ({@link JournalOptions#writesOnCallerThreads()}): writes, forces and reports
     * what is queued, batch after batch, on the calling thread; blocks on each force. If another thread is running the
     * writer, returns at once: that thread takes in what this one queued, since it looks at the queue again after it
     * lets go. A write held back by a full disk is tried again at most every 100 ms, as the writer thread would.
     *
     * @return whether a batch was written
     */
    @Override
    public boolean runQueuedWrites() {
        if (!writesOnCallerThreads()) {
            return false;
        }
        boolean ran = false;
        while ((writer.hasPendingWork() || fullDiskRetryDue()) && callerWrites.tryLock()) {
            try {
                if (!writer.runPending()) {
                    return ran; // the disk is still full, or another thread took the work
                }
                ran = true;
            } finally {
                callerWrites.unlock();
            }
        }
        return ran;
    }

    private boolean fullDiskRetryDue() {
        if (!writer.waitingForSpace()) {
            return false;
        }
        long now = System.nanoTime();
        long last = lastFullRetryNanos.get();
        return now - last >= JournalWriter.FULL_RETRY_NANOS && lastFullRetryNanos.compareAndSet(last, now);
    }

    /**
     * Whether writes wait because the disk had no room for the next segment (issue 22). The journal's own thread tries
     * again every 100 ms; in invoker mode the caller does, by calling {@link #runPending()} now and then, and with
     * writes on the callers' threads {@link #runQueuedWrites()} does.
     */
    public boolean waitingForSpace() {
        return writer.waitingForSpace();
    }

    /** Whether {@link #runPending()} has work to run; always false unless in invoker mode. */
    public boolean hasPendingWork() {
        return options.invoker() && writer.hasPendingWork();
    }

    /**
     * Without a writer thread, a blocking call runs the writer itself until its work is {@code done}: in invoker mode no
     * other thread will; with writes on the callers' threads a loop thread might, but need not (the node may not run
     * yet), so the call takes its turn, and waits out a full disk as the writer thread would.
     */
    private void runInline(CompletableFuture<Void> done) {
        if (options.invoker()) {
            while (writer.runPending()) {
                // until the queue is empty
            }
        } else if (writesOnCallerThreads()) {
            callerWrites.lock();
            try {
                while (!done.isDone()) {
                    if (!writer.runPending()) {
                        if (!writer.waitingForSpace()) {
                            return; // nothing left to run: the work was done by a loop thread, or failed
                        }
                        LockSupport.parkNanos(this, JournalWriter.FULL_RETRY_NANOS);
                    }
                }
            } finally {
                callerWrites.unlock();
            }
        }
    }

    void submit(Work work) throws StorageException {
        checkOpen();
        writer.submit(work);
    }

    void checkOpen() throws StorageException {
        if (closed) {
            throw new StorageException(Reason.ILLEGAL_STATE, "journal " + options.directory() + " is closed");
        }
    }

    /** Reads a group's entries {@code [fromIndex, toIndexExclusive)}, as {@link GroupJournal#read} describes. */
    List<Entry> readEntries(GroupState state, long fromIndex, long toIndexExclusive, long maxBytes)
            throws StorageException {
        checkOpen();
        return reader.read(state, fromIndex, toIndexExclusive, maxBytes);
    }

    private List<Path> segmentFiles() throws StorageException {
        List<Path> found = new ArrayList<>();
        try {
            for (Path path : options.fileLayer().list(options.directory())) {
                if (path.getFileName().toString().endsWith(Segment.PREALLOCATED_SUFFIX)) {
                    options.fileLayer().delete(path); // prepared but never used
                } else if (Segment.sequenceOf(path) >= 0) {
                    found.add(path);
                }
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot list journal directory " + options.directory(), e);
        }
        return found;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        try {
            writer.submit(new Work.Stop(stopped));
            runInline(stopped);
            stopped.join();
        } catch (StorageException failedEarlier) {
            // The writer already stopped (fail-stop); there is nothing left to flush.
        }
        writer.join();
        allocator.close();
        for (Segment segment : segments.values()) {
            segment.closeQuietly();
        }
        owner.close();
    }
}
