package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.MembershipPolicy;
import dev.echo.core.NodeClock;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.LogOutline;
import dev.echo.core.protocol.MembershipApproval;
import dev.echo.core.protocol.MulticastPolicy;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.RecoveredLog;
import dev.echo.core.protocol.RecoveredState;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.Journal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.RecoveredGroup;
import dev.echo.core.storage.StorageException;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import dev.echo.core.transport.TransportListener;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of one {@link dev.echo.core.node.EchoNode}: its transport, journal, loop threads and groups. It routes
 * every received envelope to its group's loop and pins each group to the least loaded loop thread. Internal.
 *
 * <p>Thread-safe. {@link #join} and {@link #close} block (journal I/O, waiting for loops to stop).
 */
public final class NodeRuntime implements TransportListener {
    /** How much of a group's log is read at a time while it is recovered. */
    private static final long RECOVERY_CHUNK_BYTES = 4L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
    /** Room for an AppendRequest's header and per-entry framing above its entry bytes. */
    private static final int MESSAGE_OVERHEAD = 4096;

    private final MemberId self;
    private final Transport transport;
    /** Peer addresses learnt from the groups' configurations (PROTOCOL.md §8). */
    private final PeerBook peers;

    private final MetricsSink metrics;

    private final Journal journal;
    private final List<LoopThread> threads = new ArrayList<>();
    private final boolean invoker;
    private final long tickNanos;
    private final ConcurrentMap<String, GroupLoop> groups = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, GroupHandle> handles = new ConcurrentHashMap<>();
    private final AtomicLong unroutable = new AtomicLong();
    private final NodeClock clock;
    private final RuntimeRules rules;
    /** Seeds of each group's core and client session: secure by default, fixed under the simulator. */
    private final RandomGenerator random;
    /**
     * Snapshot writing, chunk reading and restoring for every group: blocking disk work, off the loop threads, on
     * one thread of its own; null in invoker mode, where {@link #runPending} runs it from {@link #invokerWork}.
     */
    private final ExecutorService snapshotThread;
    /**
     * Reads log entries evicted from the groups' caches back from the journal, so no loop waits for the disk; one
     * thread of its own, apart from snapshot work; null in invoker mode, as {@link #snapshotThread}.
     */
    private final ExecutorService logReadThread;

    private final LogCacheBudget cacheBudget;

    private final ConcurrentLinkedQueue<Runnable> invokerWork = new ConcurrentLinkedQueue<>();
    private final boolean loopsOnTransport;

    private volatile boolean started;
    private volatile boolean closed;

    /**
     * Creates the runtime; nothing runs until {@link #start}.
     *
     * @param clock every timer's time
     * @param seed seeds the groups' randomness; empty for a secure random one
     * @param invoker if true, no thread is started: the caller drives everything, snapshot work included, with
     *     {@link #runPending}
     * @param rules {@link RuntimeRules#STRICT} except in the testkit's mutants
     * @param metrics where the node and its groups report their metrics; {@link MetricsSink#NONE} for none
     * @param logCacheBytes the bytes of log entries the node's groups keep in memory together; older entries are
     *     read back from the journal when needed
     * @param loopsOnTransport run the loops on the transport's I/O threads when it offers them ({@link
     *     Transport#ioExecutors}) instead of on threads of their own; ignored in invoker mode
     */
    public NodeRuntime(
            MemberId self,
            Transport transport,
            Journal journal,
            long tickNanos,
            int loopThreads,
            boolean invoker,
            NodeClock clock,
            OptionalLong seed,
            RuntimeRules rules,
            MetricsSink metrics,
            long logCacheBytes,
            boolean loopsOnTransport) {
        this.self = self;
        this.loopsOnTransport = loopsOnTransport;
        this.cacheBudget = new LogCacheBudget(logCacheBytes);
        this.metrics = metrics;
        this.transport = transport;
        this.peers = new PeerBook(self, transport);
        this.journal = journal;
        this.invoker = invoker;
        this.tickNanos = tickNanos;
        this.clock = clock;
        this.rules = rules;
        this.random = seed.isPresent() ? new SplittableRandom(seed.getAsLong()) : new SecureRandom();
        for (int i = 0; i < loopThreads; i++) {
            threads.add(
                    new LoopThread(tickNanos, clock, journal.writesOnCallerThreads() ? this::writeQueued : () -> {}));
        }
        this.snapshotThread = invoker ? null : storageThread("echo-snapshot-" + self);
        this.logReadThread = invoker ? null : storageThread("echo-log-reader-" + self);
    }

    /** A daemon thread of its own for blocking storage work, so that no loop thread waits for the disk. */
    private static ExecutorService storageThread(String name) {
        return Executors.newSingleThreadExecutor(work -> {
            Thread thread = new Thread(work, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the transport and the loop threads. */
    public synchronized void start() throws TransportException {
        if (started || closed) {
            throw new IllegalStateException("node " + self + " is already started or closed");
        }
        transport.start(this);
        registerTransportGauges();
        if (!invoker) {
            // On the transport's threads, a batch received is stepped and answered where it was read: two hand-offs
            // between threads fewer per batch at every member (docs/architecture.md, "Threads").
            List<ScheduledExecutorService> hosts = loopsOnTransport ? transport.ioExecutors() : List.of();
            for (int i = 0; i < threads.size(); i++) {
                if (hosts.isEmpty()) {
                    threads.get(i).start("echo-loop-" + self + "-" + i);
                } else {
                    threads.get(i).startOn(hosts.get(i % hosts.size()));
                }
            }
        }
        started = true;
    }

    /**
     * Joins group {@code name} at this member: opens (or recovers) its journal, builds its core and starts its loop.
     *
     * @throws EchoException {@code STORAGE_FAILED} if the group's journal is damaged or cannot be opened
     * @throws IllegalArgumentException if the options cannot work with this transport or do not include this member
     * @throws IllegalStateException if the node is not started, is closed, or already hosts the group
     */
    public synchronized ReplicatedGroup join(
            String name, GroupOptions options, StateMachine stateMachine, GroupListener listener) {
        Envelope.requireGroupName(name);
        if (!started || closed) {
            throw new IllegalStateException("node " + self + " is not running");
        }
        if (groups.containsKey(name)) {
            throw new IllegalStateException("group " + name + " is already joined at " + self);
        }
        ProtocolOptions protocol = ProtocolTranslation.protocolOptions(options.tuning(), tickNanos);
        if (options.multicast()) { // a participant silent for four election timeouts is left out of the next view
            protocol = protocol.withMulticast(MulticastPolicy.on(4 * protocol.electionTimeoutMaxTicks()));
        }
        checkFitsTransport(protocol, transport.codec());
        Configuration initial = ProtocolTranslation.configuration(options.membership());
        if (!initial.members().contains(self) && !options.newMember()) {
            throw new IllegalArgumentException(self + " is not a member of group " + name + ": " + initial
                    + " (a member joining later says GroupOptions.Builder.newMember())");
        }
        DeferredPersistListener durable = new DeferredPersistListener();
        GroupJournal groupJournal;
        try {
            groupJournal = journal.openGroup(new GroupIdentity(name, self, options.incarnation()), durable);
        } catch (StorageException cause) {
            throw Rejections.ofStorage("cannot open group " + name + ": " + cause.getMessage(), cause);
        }
        RecoveredGroup recovered = groupJournal.recovered();
        long incarnation = recovered.identity().incarnation();
        if (recovered.fault().isPresent()) {
            incarnation = startNextLife(name, groupJournal, recovered.fault().get());
        }
        GroupProtocol core = new GroupProtocol(
                self,
                incarnation,
                initial,
                protocol,
                recoveredState(name, groupJournal, recovered, stateMachine),
                stateMachine,
                random.nextLong());
        options.membershipPolicy().ifPresent(policy -> core.approveMembershipWith(approval(name, core, policy)));
        LoopThread thread = threads.stream()
                .min(Comparator.comparingInt(LoopThread::groupCount))
                .orElseThrow();
        Semaphore inFlight = new Semaphore(options.maxInFlight());
        GroupMetrics groupMetrics = new GroupMetrics(metrics, name, self);
        GroupLoop loop = new GroupLoop(
                name,
                incarnation,
                core,
                groupJournal,
                transport,
                thread,
                listener,
                options.maxInboxMessages(),
                random.nextLong(),
                inFlight::release,
                stateMachine,
                invoker ? invokerWork::add : snapshotThread,
                invoker ? invokerWork::add : logReadThread,
                cacheBudget,
                rules,
                options.joinAddress(),
                peers,
                groupMetrics);
        durable.attach(loop);
        cacheBudget.groupOpened();
        thread.add(loop);
        groups.put(name, loop);
        GroupHandle handle = new GroupHandle(
                loop,
                inFlight,
                options.waitWhenFull(),
                options.requestTimeout(),
                protocol.maxCommandBytes(),
                () -> forget(name, loop, thread));
        groupMetrics.registerGauges(
                loop::status, loop::view, () -> options.maxInFlight() - inFlight.availablePermits(), loop::cacheHeld);
        handles.put(name, handle);
        LOG.info(
                "{} joined group {} ({} entries recovered, term {})",
                self,
                name,
                recovered.lastIndex() - recovered.snapshotIndex(),
                recovered.hardState().term());
        return handle;
    }

    /**
     * Invoker mode: runs due ticks, ready groups, queued snapshot work and, for a journal without a writer thread, its
     * queued writes on the caller's thread; returns whether anything ran.
     */
    public boolean runPending() {
        boolean worked = false;
        for (LoopThread thread : threads) {
            worked |= thread.runOnce();
        }
        for (Runnable work = invokerWork.poll(); work != null; work = invokerWork.poll()) {
            work.run();
            worked = true;
        }
        worked |= journal.runQueuedWrites();
        return worked;
    }

    /**
     * After a loop pass, when the journal has no writer thread: the pass's messages first, so that a leader's appends
     * travel while it forces (its followers force at the same time: PROTOCOL.md's 1.5 rounds), then what the pass
     * queued, written and forced on this thread. The reports schedule the groups' next pass.
     */
    private void writeQueued() {
        transport.flushQueued();
        journal.runQueuedWrites();
    }

    /** The member this node speaks for. */
    public MemberId self() {
        return self;
    }

    /**
     * The configuration in force in {@code group}'s log at this member, committed or not (PROTOCOL.md §2), or empty if
     * this node does not host the group. For the testkit's simulator, which must know whether a fault would leave a
     * configuration being changed without a quorum, while the application's {@link dev.echo.core.View} shows only
     * applied ones.
     *
     * @throws IllegalStateException unless in invoker mode; call it on the thread that calls {@link #runPending}, since
     *     the core belongs to its loop
     */
    public Optional<QuorumSystem> configurationInForce(String group) {
        if (!invoker) {
            throw new IllegalStateException("a group's configuration is read only in invoker mode, between steps");
        }
        return Optional.ofNullable(groups.get(group)).map(GroupLoop::configurationInForce);
    }

    /** Envelopes for groups this node does not host, dropped. */
    public long unroutable() {
        return unroutable.get();
    }

    @Override
    public void received(Envelope envelope) {
        GroupLoop loop = groups.get(envelope.group());
        if (loop == null) {
            unroutable.incrementAndGet();
            return;
        }
        loop.offerMessage(envelope);
    }

    /** Closes every group, then the loop threads, the transport and the journal. Idempotent. */
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (GroupHandle handle : handles.values()) {
            closing.add(handle.closeAsync());
        }
        for (CompletableFuture<Void> done : closing) {
            awaitClosed(done);
        }
        threads.forEach(LoopThread::stop);
        for (ExecutorService storageWork : new ExecutorService[] {snapshotThread, logReadThread}) {
            if (storageWork != null) {
                storageWork.shutdown();
                try {
                    storageWork.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        transport.close();
        journal.close();
    }

    /**
     * The journal found this member's data damaged: it may have lost entries and votes it acknowledged, so it starts
     * its next incarnation (PROTOCOL.md §5), recorded before it says anything, and joins STORAGE_FAULTED until the
     * leader repairs it; the group then re-admits it as its new life.
     */
    private static long startNextLife(String name, GroupJournal journal, StorageException fault) {
        try {
            long incarnation = journal.reincarnate().incarnation();
            LOG.warn(
                    "group {} has damaged durable data ({}); joining STORAGE_FAULTED as incarnation {}, to be repaired"
                            + " by the leader",
                    name,
                    fault.getMessage(),
                    incarnation);
            return incarnation;
        } catch (StorageException cause) {
            throw new EchoException(
                    EchoException.Reason.STORAGE_FAILED,
                    "group " + name + " has damaged durable data and cannot record a new incarnation: "
                            + cause.getMessage(),
                    cause);
        }
    }

    /**
     * The group's durable log as the core reads it while it is built: streamed from the journal a chunk at a time, of
     * which the core keeps the newest {@code cacheBytes} (docs/architecture.md, "Recovery").
     */
    private static RecoveredLog streamed(String name, GroupJournal journal, RecoveredGroup recovered, long cacheBytes) {
        return new RecoveredLog() {
            @Override
            public long lastIndex() {
                return recovered.lastIndex();
            }

            @Override
            public long cacheBytes() {
                return cacheBytes;
            }

            @Override
            public Optional<LogOutline> outline() {
                return recovered.outline();
            }

            @Override
            public List<Entry> read(long from) {
                try {
                    return journal.read(from, recovered.lastIndex() + 1, RECOVERY_CHUNK_BYTES);
                } catch (StorageException cause) {
                    throw new EchoException(
                            EchoException.Reason.STORAGE_FAILED,
                            "group " + name + " cannot read its log back from entry " + from + ": "
                                    + cause.getMessage(),
                            cause);
                }
            }
        };
    }

    /**
     * The core's starting state. With a compacted log, the state machine is first restored from the snapshot the log
     * starts after (this blocks for as long as reading it takes).
     */
    private RecoveredState recoveredState(
            String name, GroupJournal journal, RecoveredGroup recovered, StateMachine stateMachine) {
        if (recovered.fault().isPresent()) {
            return RecoveredState.faulted(recovered.hardState());
        }
        RecoveredLog log = streamed(name, journal, recovered, cacheBudget.allowance(0));
        if (recovered.snapshotIndex() == 0) {
            return new RecoveredState(recovered.hardState(), Optional.empty(), log);
        }
        try {
            SnapshotMeta meta = journal.snapshots().meta(recovered.snapshotIndex());
            byte[] sessions = SnapshotWorker.restore(journal.snapshots(), meta.index(), stateMachine);
            return new RecoveredState(
                    recovered.hardState(), Optional.of(new RecoveredState.Snapshot(meta, sessions)), log);
        } catch (IOException | StorageException | RuntimeException cause) {
            throw new EchoException(
                    EchoException.Reason.STORAGE_FAILED,
                    "group " + name + " cannot restore its state from snapshot " + recovered.snapshotIndex() + ": "
                            + cause.getMessage(),
                    cause);
        }
    }

    /**
     * Waits for a group to close: up to 5 s of the loop threads' work, or in invoker mode until a round of
     * {@link #runPending} finds nothing left to run (a closing group needs no time to pass, only its own turn).
     */
    private void awaitClosed(CompletableFuture<Void> done) {
        if (invoker) {
            while (!done.isDone() && runPending()) {
                // each round runs what the close left to do
            }
            return;
        }
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException stuck) {
            LOG.warn("a group of {} did not close cleanly within 5 s; closing the node anyway", self, stuck);
        }
    }

    /** The transport's counters as gauges (issue 24): read from its metrics when the registry is read. */
    private void registerTransportGauges() {
        transportGauge("echo.transport.messages.out", "messages sent", () -> transport
                .metrics()
                .messagesOut());
        transportGauge("echo.transport.bytes.out", "bytes sent", () -> transport
                .metrics()
                .bytesOut());
        transportGauge("echo.transport.messages.in", "messages received", () -> transport
                .metrics()
                .messagesIn());
        transportGauge("echo.transport.bytes.in", "bytes received", () -> transport
                .metrics()
                .bytesIn());
        transportGauge(
                "echo.transport.dropped",
                "messages dropped: queue full, peer unknown, or too large",
                () -> transport.metrics().dropped());
        transportGauge(
                "echo.transport.refused",
                "frames refused: undecodable, unauthenticated, or refused handshakes",
                () -> transport.metrics().decodeErrors()
                        + transport.metrics().authFailures()
                        + transport.metrics().handshakeRefusals());
    }

    private void transportGauge(String name, String description, LongSupplier value) {
        metrics.gauge(name, description, value, "member", self.value());
    }

    /** The application's policy as the core asks it, in views; an exception is a refusal, logged. */
    private static MembershipApproval approval(String group, GroupProtocol core, MembershipPolicy policy) {
        return (asker, current, target) -> {
            long epoch = core.log().configurationIndex();
            try {
                return policy.approve(
                        asker, ProtocolTranslation.view(current, epoch), ProtocolTranslation.view(target, epoch));
            } catch (RuntimeException refused) {
                LOG.warn("{}: the membership policy threw for {}'s request; refused", group, asker, refused);
                return false;
            }
        };
    }

    private void forget(String name, GroupLoop loop, LoopThread thread) {
        if (groups.remove(name, loop)) {
            cacheBudget.groupClosed(loop.cacheHeld());
        }
        handles.remove(name);
        thread.remove(loop);
        peers.forgetGroup(name, thread.now());
    }

    /** A peer drops what exceeds its codec's limits, so a group whose batches could exceed them must not start. */
    static void checkFitsTransport(ProtocolOptions protocol, MessageCodec codec) {
        if (protocol.maxEntriesPerAppend() > codec.maxEntriesPerMessage()) {
            throw new IllegalArgumentException("maxEntriesPerAppend " + protocol.maxEntriesPerAppend()
                    + " exceeds the transport's " + codec.maxEntriesPerMessage() + " entries per message");
        }
        if (protocol.maxCommandBytes() > codec.maxCommandBytes()) {
            throw new IllegalArgumentException("maxCommandBytes " + protocol.maxCommandBytes()
                    + " exceeds the transport's " + codec.maxCommandBytes());
        }
        long largest = (long) Math.max(protocol.maxAppendBytes(), protocol.maxCommandBytes()) + MESSAGE_OVERHEAD;
        if (largest > codec.maxMessageBytes()) {
            throw new IllegalArgumentException("an AppendRequest of maxAppendBytes " + protocol.maxAppendBytes()
                    + " (or one command of " + protocol.maxCommandBytes() + ") plus " + MESSAGE_OVERHEAD
                    + " bytes of framing exceeds the transport's largest message of " + codec.maxMessageBytes());
        }
    }

    /**
     * Forwards durability reports to a loop that does not exist yet when the journal group is opened. The journal can
     * fail before that, while the group records its next incarnation at join: the failure is kept for the loop.
     */
    private static final class DeferredPersistListener implements PersistListener {
        private volatile GroupLoop target;
        private StorageException earlyFailure;

        synchronized void attach(GroupLoop loop) {
            target = loop;
            if (earlyFailure != null) {
                loop.failed(earlyFailure);
            }
        }

        @Override
        public void persisted(long ticket) {
            GroupLoop loop = target; // a volatile read per journal batch; no lock on the hot path
            if (loop != null) { // nothing is persisted before the loop exists: it submits every ticket
                loop.persisted(ticket);
            }
        }

        @Override
        public void failed(StorageException cause) {
            GroupLoop loop;
            synchronized (this) {
                loop = target;
                if (loop == null) {
                    earlyFailure = cause;
                    return;
                }
            }
            loop.failed(cause);
        }

        @Override
        public void storageFull(StorageException cause) {
            GroupLoop loop = target;
            if (loop != null) { // before the loop exists nothing was submitted; the next full batch tells it
                loop.storageFull(cause);
            }
        }

        @Override
        public void storageAvailable() {
            GroupLoop loop = target;
            if (loop != null) {
                loop.storageAvailable();
            }
        }
    }
}
