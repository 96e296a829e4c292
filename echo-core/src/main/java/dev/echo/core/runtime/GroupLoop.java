package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupStatus;
import dev.echo.core.JoinProgress;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberHealth;
import dev.echo.core.MemberId;
import dev.echo.core.StateMachine;
import dev.echo.core.View;
import dev.echo.core.codec.Envelope;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.FollowerHealth;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.StorageException;
import dev.echo.core.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group at this member, driven serially on its {@link LoopThread}: it steps the core with what arrived (messages,
 * client operations, ticks, durability reports), then carries out the outputs in order: persists to the journal
 * (never waiting for disk), sends to the transport, outcomes to client futures, status to the listener.
 *
 * <p>Hand-off: transport threads call {@link #offerMessage} (bounded: beyond the bound messages are dropped and
 * counted; the protocol retries); the journal's writer calls {@link #persisted}, which only raises a number; clients
 * call {@link #offerClient}. Everything else runs on the loop thread. The core's durability ordering holds because
 * the core itself holds back sends that must follow a persist until {@code Persisted} arrives.
 */
public final class GroupLoop implements PersistListener, LoopThread.Pinned {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLoop.class);
    private static final int MAX_EVENTS_PER_RUN = 512;

    private final String name;
    private final long incarnation;
    private final GroupProtocol core;
    private final GroupJournal journal;
    private final Transport transport;
    /** Whether the transport authenticates its peers (PROTOCOL.md §10); read once, it never changes. */
    private final boolean peersAuthenticated;

    private final LoopThread thread;
    private final GroupListener listener;
    private final int maxInboxMessages;
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboxMessages = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong durableTicket = new AtomicLong();
    private final AtomicReference<StorageException> storageFailure = new AtomicReference<>();
    /** Set by the journal's writer: the disk is full and writes wait (issue 22). */
    private volatile boolean diskFull;
    /** What the loop last told the application about the disk: while true, submits are refused STORAGE_FULL. */
    private boolean refusingWrites;

    private final AtomicLong droppedMessages = new AtomicLong();
    private final ClientSession session;
    private final Multicasting multicasting;
    private final MembershipRequests membership;
    private final LeadershipTransfers transfers;
    private final PeerDirectory peers;
    private final PeerBook peerBook;
    private final GroupMetrics metrics;
    /** Present while this member may still ask to join (PROTOCOL.md §8). */
    private final Optional<JoinRequests> joining;

    private final Runnable permitReleased;
    private final SnapshotWorker snapshots;
    private EchoException stopCause;
    private final ConcurrentLinkedQueue<CompletableFuture<GroupStatus>> quorumWaiters = new ConcurrentLinkedQueue<>();
    private volatile GroupStatus status;
    /** What this member applied; also what tells a joining machine it is in (PROTOCOL.md §8). */
    private volatile View view;

    private long steppedDurable;
    private boolean stopped;
    /** At the leader: the followers last reported unreachable to the listener. */
    private final Set<MemberId> unreachable = new TreeSet<>();

    /** A client operation handed to the loop. */
    sealed interface ClientOp {}

    /** Submit a command. */
    record Submit(byte[] command, CompletableFuture<byte[]> future, long submittedNanos, long deadlineNanos)
            implements ClientOp {}

    /** Submit several commands, handed over at once ({@link dev.echo.core.ReplicatedGroup#submitAll}). */
    record SubmitBatch(List<Submit> submits) implements ClientOp {}

    /** Read the state. */
    record Read(byte[] query, boolean stale, CompletableFuture<byte[]> future, long deadlineNanos)
            implements ClientOp {}

    /** Hand leadership to a member. */
    record Transfer(MemberId target, CompletableFuture<GroupStatus> future, long deadlineNanos) implements ClientOp {}

    /** Stop the group at this member. */
    record Close(CompletableFuture<Void> done) implements ClientOp {}

    /** The result of storage work done off the loop (snapshots, reads of evicted entries), for the core. */
    record StorageResult(Input input) implements ClientOp {}

    /** Restoring the state machine failed on the snapshot thread: its state is undefined (fail-stop). */
    record Fail(RuntimeException cause) implements ClientOp {}

    /** Multicast to the view (PROTOCOL.md §13). */
    record Multicast(byte[] payload, CompletableFuture<Void> future) implements ClientOp {}

    /** Flush the view's multicasts (PROTOCOL.md §13). */
    record Flush(CompletableFuture<Void> future) implements ClientOp {}

    /** Report the other members' health as this member (if leader) knows it. */
    record Health(CompletableFuture<List<MemberHealth>> future) implements ClientOp {}

    /** Change the membership: the leader applies {@code change} to its latest configuration. */
    record ChangeMembership(MembershipChange change, CompletableFuture<View> future, long deadlineNanos)
            implements ClientOp {}

    private final Executor logReadExecutor;
    private final LogCacheBudget cacheBudget;
    /** Written by the loop thread only; volatile for the metrics gauge. */
    private volatile long cacheHeld;

    GroupLoop(
            String name,
            long incarnation,
            GroupProtocol core,
            GroupJournal journal,
            Transport transport,
            LoopThread thread,
            GroupListener listener,
            int maxInboxMessages,
            long clientId,
            Runnable permitReleased,
            StateMachine stateMachine,
            Executor snapshotExecutor,
            Executor logReadExecutor,
            LogCacheBudget cacheBudget,
            RuntimeRules rules,
            Optional<MemberAddress> joinAddress,
            PeerBook peerBook,
            GroupMetrics metrics) {
        this.name = name;
        this.logReadExecutor = logReadExecutor;
        this.cacheBudget = cacheBudget;
        this.incarnation = incarnation;
        this.core = core;
        this.journal = journal;
        this.transport = transport;
        this.peersAuthenticated = transport.authenticatesPeers();
        this.thread = thread;
        this.listener = listener;
        this.maxInboxMessages = maxInboxMessages;
        this.session = new ClientSession(
                clientId,
                core::step,
                permitReleased,
                rules,
                // Issue 24's commit latency, timed where the session completes the write: no callback per future.
                metrics.measuring
                        ? submitted -> metrics.commitLatency.record(thread.now() - submitted)
                        : submitted -> {});
        this.membership = new MembershipRequests(core, thread::now);
        this.transfers = new LeadershipTransfers(core, name);
        this.multicasting = new Multicasting(core, listener, this::callListener);
        this.metrics = metrics;
        this.peerBook = peerBook;
        this.peers = new PeerDirectory(name, peerBook, thread::now);
        peers.learn(core.configuration());
        this.joining = joinAddress.map(address -> new JoinRequests(name, core.self(), address, core.removed()));
        this.permitReleased = permitReleased;
        this.snapshots = new SnapshotWorker(
                name,
                core.self(),
                journal.snapshots(),
                stateMachine,
                snapshotExecutor,
                input -> offerClient(new StorageResult(input)),
                send -> transport.send(send.to(), new Envelope(name, incarnation, send.message())),
                cause -> offerClient(new Fail(cause)),
                metrics,
                this::now);
        this.status = snapshotStatus(core.status(), core.term(), core.leaderId());
        // The view of what this member applied, as the listener hears views: never a configuration the log holds
        // but that may not commit, and never going back as the log is applied (PROTOCOL.md §8, §13).
        long applied = core.lastApplied();
        this.view = ProtocolTranslation.view(
                core.log().configurationAt(applied), core.log().configurationIndexAt(applied));
    }

    String name() {
        return name;
    }

    /** The node's time: request deadlines are measured on it. */
    long now() {
        return thread.now();
    }

    MemberId self() {
        return core.self();
    }

    /** The configuration in force in the core's log, committed or not. Loop thread only: the core is the loop's. */
    QuorumSystem configurationInForce() {
        return core.configuration();
    }

    GroupStatus status() {
        return status;
    }

    View view() {
        return view;
    }

    /** A joining machine's progress, while it is not in (ReplicatedGroup.joining). Any thread. */
    Optional<JoinProgress> joinProgress() {
        if (joining.isEmpty()) {
            return Optional.empty();
        }
        List<MemberId> seeds = view.voters().stream().map(View.Member::id).toList();
        return joining.get().progress(seeds, transport::peerState);
    }

    long droppedMessages() {
        return droppedMessages.get();
    }

    /** From a transport thread: queue a message (with its sender's incarnation), or drop it if the inbox is full. */
    void offerMessage(Envelope envelope) {
        if (inboxMessages.incrementAndGet() > maxInboxMessages) {
            inboxMessages.decrementAndGet();
            droppedMessages.incrementAndGet();
            return;
        }
        inbox.add(envelope);
        schedule();
    }

    /** A future completed (on the loop thread) once this member has the quorum; at once if it has it now. */
    CompletableFuture<GroupStatus> whenQuorum() {
        CompletableFuture<GroupStatus> waiter = new CompletableFuture<>();
        quorumWaiters.add(waiter);
        schedule(); // the loop completes it if the quorum is already there
        return waiter;
    }

    /** From a client thread: queue an operation (already admitted by the in-flight limit). */
    void offerClient(ClientOp op) {
        inbox.add(op);
        schedule();
    }

    @Override
    public void persisted(long ticket) {
        durableTicket.accumulateAndGet(ticket, Math::max);
        schedule();
    }

    @Override
    public void failed(StorageException cause) {
        storageFailure.compareAndSet(null, cause);
        schedule();
    }

    @Override
    public void storageFull(StorageException cause) {
        diskFull = true;
        schedule();
    }

    @Override
    public void storageAvailable() {
        diskFull = false;
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            thread.schedule(this);
        }
    }

    /** On the loop thread: one tick of logical time, and request deadlines. */
    @Override
    public void tick() {
        try {
            tickUnsafe();
        } catch (RuntimeException bug) {
            crashed(bug);
        }
    }

    private void tickUnsafe() {
        if (stopped) {
            return;
        }
        core.step(new Input.Tick());
        long now = thread.now();
        session.expire(now);
        membership.expire(now);
        transfers.expire(now);
        peerBook.expire(now);
        if (joining.isPresent()) {
            joining.get().due(now, view).ifPresent(membership::request);
        }
        flushOutputs();
        reportReachability();
    }

    /** On the loop thread: process what arrived, then carry out the outputs. */
    @Override
    public void run() {
        try {
            runUnsafe();
        } catch (RuntimeException bug) {
            crashed(bug);
        }
    }

    /**
     * The state machine or Echo threw: the core's state may be half-updated, so this member stops taking part
     * (fail-stop) rather than go on with it; the loop thread and the node's other groups carry on.
     */
    private void crashed(RuntimeException bug) {
        LOG.error("Group {} stops: unexpected failure in the group loop", name, bug);
        if (!stopped) {
            stop(
                    new EchoException(
                            EchoException.Reason.INTERNAL_ERROR,
                            "group " + name + " stopped after an unexpected failure: " + bug,
                            bug),
                    GroupStatus.Role.CLOSED);
        }
    }

    private void runUnsafe() {
        scheduled.set(false);
        if (stopped) {
            rejectQueued();
            return;
        }
        if (checkStorage()) {
            return;
        }
        if (diskFull != refusingWrites) {
            diskFullChanged();
        }
        long durable = durableTicket.get();
        if (durable > steppedDurable) {
            steppedDurable = durable;
            core.step(new Input.Persisted(durable));
        }
        // The run's commands reach the core as one step: one write and one append per follower for all of them.
        session.holdCommands();
        for (int i = 0; i < MAX_EVENTS_PER_RUN; i++) {
            Object event = inbox.poll();
            if (event == null) {
                break;
            }
            if (event instanceof Envelope envelope) {
                inboxMessages.decrementAndGet();
                core.step(new Input.Receive(envelope.message(), envelope.incarnation(), peersAuthenticated));
            } else if (!handleClient((ClientOp) event)) {
                return; // stopped: the held commands were failed with everything else
            }
        }
        session.sendHeld();
        multicasting.sendQueued();
        flushOutputs();
        if (status.hasQuorum()) {
            for (CompletableFuture<GroupStatus> waiter = quorumWaiters.poll();
                    waiter != null;
                    waiter = quorumWaiters.poll()) {
                waiter.complete(status);
            }
        }
        if (!inbox.isEmpty() || durableTicket.get() > steppedDurable) {
            schedule();
        }
    }

    private boolean handleClient(ClientOp op) {
        if (op instanceof Submit submit) {
            submit(submit);
        } else if (op instanceof SubmitBatch batch) {
            batch.submits().forEach(this::submit);
        } else if (op instanceof Read read) {
            session.read(read.query(), read.stale(), read.future(), read.deadlineNanos());
        } else if (op instanceof Transfer transfer) {
            transfers.request(transfer, status);
        } else if (op instanceof Health health) {
            health.future().complete(health());
        } else if (op instanceof Multicast multicast) {
            multicasting.queue(multicast.payload(), multicast.future());
        } else if (op instanceof Flush flush) {
            multicasting.flush(flush.future());
        } else if (op instanceof ChangeMembership change) {
            membership.request(change);
        } else if (op instanceof StorageResult result) {
            core.step(result.input());
        } else if (op instanceof Fail fail) {
            crashed(fail.cause());
            return false;
        } else if (op instanceof Close close) {
            flushOutputs();
            stop(
                    new EchoException(EchoException.Reason.CLOSED, "group " + name + " was closed"),
                    GroupStatus.Role.CLOSED);
            close.done().complete(null);
            return false;
        }
        return true;
    }

    private void submit(Submit submit) {
        if (refusingWrites) {
            permitReleased.run();
            submit.future().completeExceptionally(Rejections.storageFull(name));
            return;
        }
        session.submit(
                submit.command(),
                submit.future(),
                submit.submittedNanos(),
                submit.deadlineNanos(),
                core.status() == MemberStatus.LEADER || core.status() == MemberStatus.FOLLOWER);
    }

    private void flushOutputs() {
        // Before the step's messages: a member just added is reachable at once.
        peers.learn(core.configuration());
        List<Output> outputs = core.drainOutputs();
        for (Output output : outputs) {
            if (stopped) {
                return; // a persist just failed: nothing after it goes out (fail-stop)
            }
            if (output instanceof Output.Send send) {
                transport.send(send.to(), new Envelope(name, incarnation, send.message()));
            } else if (output instanceof Output.JournalWrite write) {
                write(write);
            } else if (output instanceof Output.TakeSnapshot take) {
                snapshots.onTake(take);
            } else if (output instanceof Output.SendSnapshotChunk chunk) {
                snapshots.onSendChunk(chunk);
            } else if (output instanceof Output.StoreSnapshotChunk chunk) {
                snapshots.onStoreChunk(chunk);
            } else if (output instanceof Output.Completed completed) {
                session.completed(completed.sequence(), completed.outcome());
            } else if (output instanceof Output.SessionOpened opened) {
                session.sessionOpened(opened.outcome());
            } else if (output instanceof Output.ReadCompleted read) {
                session.readCompleted(read.readId(), read.outcome());
            } else if (output instanceof Output.StatusChanged changed) {
                statusChanged(changed);
            } else if (output instanceof Output.ViewChanged changed) {
                viewChanged(changed);
            } else if (multicasting.onOutput(output)) {
                continue;
            } else if (output instanceof Output.ReadLog read) {
                readLog(read);
            } else if (output instanceof Output.StateInstalled installed) {
                GroupStatus now = status;
                callListener(() -> listener.stateInstalled(installed.index(), now));
            } else if (output instanceof Output.ReconfigurationCompleted done) {
                membership.completed(done, view);
            }
        }
        evictLogCache();
        GroupStatus current = status;
        if (current.commitIndex() != core.commitIndex() || current.lastApplied() != core.lastApplied()) {
            status = new GroupStatus(
                    current.role(), current.term(), current.leader(), core.commitIndex(), core.lastApplied());
        }
    }

    /**
     * Reads entries evicted from the log cache back from the journal, on the node's reader thread: the loop never
     * waits for the disk (docs/architecture.md, "The log cache"). A failed read reports no entries; the core asks
     * again later.
     */
    private void readLog(Output.ReadLog read) {
        logReadExecutor.execute(() -> {
            List<Entry> entries;
            try {
                entries = journal.read(read.fromIndex(), read.toIndexExclusive(), read.maxBytes());
                metrics.logEntriesReadBack.add(entries.size());
            } catch (StorageException | RuntimeException failed) {
                LOG.warn(
                        "Group {}: cannot read entries {}..{} back from the journal",
                        name,
                        read.fromIndex(),
                        read.toIndexExclusive() - 1,
                        failed);
                entries = List.of();
            }
            offerClient(new StorageResult(new Input.LogRead(read.fromIndex(), entries)));
        });
    }

    /** Keeps this group's log cache within what the node's budget lets it hold now. */
    private void evictLogCache() {
        long held = core.evictLogCache(cacheBudget.allowance(cacheHeld));
        cacheBudget.changed(cacheHeld, held);
        cacheHeld = held;
    }

    /** The bytes this group's log cache held when it last reported them to the budget. */
    long cacheHeld() {
        return cacheHeld;
    }

    /** Hands a persist or compaction to the journal (never waiting for disk); a refusal stops the group. */
    private void write(Output.JournalWrite write) {
        if (stopped) {
            return;
        }
        try {
            if (write instanceof Output.Persist persist) {
                journal.persist(persist);
            } else {
                Output.CompactLog compact = (Output.CompactLog) write;
                journal.compact(compact.meta(), compact.ticket());
            }
        } catch (StorageException cause) {
            storageFailure.compareAndSet(null, cause);
            checkStorage();
        }
    }

    /**
     * The disk filled up or has room again (issue 22): new writes are refused meanwhile (certainly not applied); those
     * already in flight wait with the journal, so nothing acknowledged is lost. The application hears it once each way.
     */
    private void diskFullChanged() {
        refusingWrites = diskFull;
        GroupStatus now = status;
        if (refusingWrites) {
            LOG.warn("Group {} at {}: the disk is full; writes are refused until space returns", name, core.self());
            recordStorageFault(StorageException.Reason.STORAGE_FULL, "writes paused until space returns");
            callListener(() -> listener.storageFull(now));
        } else {
            LOG.info("Group {} at {}: the disk has room again; writes resume", name, core.self());
            callListener(() -> listener.storageAvailable(now));
        }
    }

    private void recordStorageFault(StorageException.Reason reason, String message) {
        RuntimeEvents.StorageFault event = new RuntimeEvents.StorageFault();
        if (event.shouldCommit()) {
            event.group = name;
            event.member = core.self().value();
            event.reason = reason.name();
            event.message = message;
            event.commit();
        }
    }

    /** Fail-stop on a storage failure: nothing more is acknowledged, every waiter is told. */
    private boolean checkStorage() {
        StorageException cause = storageFailure.get();
        if (cause == null || stopped) {
            return stopped;
        }
        LOG.error("Group {} stops: storage failed: {}", name, cause.getMessage());
        EchoException failure = Rejections.ofStorage("storage failed: " + cause.getMessage(), cause);
        recordStorageFault(cause.reason(), cause.getMessage());
        stop(failure, GroupStatus.Role.STORAGE_FAULTED);
        callListener(() -> listener.storageFaulted(failure));
        return true;
    }

    private void stop(EchoException cause, GroupStatus.Role role) {
        stopped = true;
        snapshots.close();
        stopCause = cause;
        session.failAll(cause);
        membership.failAll(cause);
        transfers.stopped(cause);
        multicasting.failAll(cause);
        for (CompletableFuture<GroupStatus> waiter = quorumWaiters.poll();
                waiter != null;
                waiter = quorumWaiters.poll()) {
            waiter.completeExceptionally(cause);
        }
        rejectQueued();
        GroupStatus current = status;
        status = new GroupStatus(role, current.term(), Optional.empty(), current.commitIndex(), current.lastApplied());
        callListener(() -> listener.statusChanged(status));
    }

    /** After a stop: operations that raced with it fail with the stop's cause; messages are dropped. */
    private void rejectQueued() {
        for (Object event = inbox.poll(); event != null; event = inbox.poll()) {
            if (event instanceof Submit submit) {
                rejectAdmitted(submit.future());
            } else if (event instanceof SubmitBatch batch) {
                batch.submits().forEach(submit -> rejectAdmitted(submit.future()));
            } else if (event instanceof Read read) {
                rejectAdmitted(read.future());
            } else if (event instanceof Close close) {
                close.done().complete(null);
            } else if (event instanceof ChangeMembership change) {
                change.future().completeExceptionally(stopCause);
            } else if (event instanceof Health health) {
                health.future().completeExceptionally(stopCause);
            } else if (event instanceof Transfer transfer) {
                transfer.future().completeExceptionally(stopCause);
            } else if (event instanceof Multicast multicast) {
                multicast.future().completeExceptionally(stopCause);
            } else if (event instanceof Flush flush) {
                flush.future().completeExceptionally(stopCause);
            }
        }
    }

    /** Fails an operation that holds an in-flight permit with the stop's cause, and frees the permit. */
    private void rejectAdmitted(CompletableFuture<byte[]> future) {
        permitReleased.run();
        future.completeExceptionally(stopCause);
    }

    private void viewChanged(Output.ViewChanged changed) {
        View before = view;
        View after = ProtocolTranslation.view(changed.configuration(), changed.index());
        view = after;
        metrics.viewChanges.increment();
        RuntimeEvents.ViewChanged event = new RuntimeEvents.ViewChanged();
        if (event.shouldCommit()) {
            event.group = name;
            event.member = core.self().value();
            event.epoch = after.epoch();
            event.voters = after.voters().size();
            event.learners = after.learners().size();
            event.suspended = after.suspended().size();
            event.commit();
        }
        callListener(() -> listener.viewChanged(after));
        if (before.contains(core.self()) && !after.contains(core.self())) {
            callListener(() -> listener.removed(after));
        }
        membership.viewApplied(after);
    }

    private void statusChanged(Output.StatusChanged changed) {
        GroupStatus before = status;
        GroupStatus after = snapshotStatus(changed.status(), changed.term(), changed.leader());
        status = after;
        recordStatusEvents(before, after);
        transfers.statusChanged(after);
        callListener(() -> listener.statusChanged(after));
        if (before.hasQuorum() && !after.hasQuorum()) {
            session.quorumLost();
            callListener(() -> listener.quorumLost(after));
        } else if (!before.hasQuorum() && after.hasQuorum()) {
            callListener(() -> listener.quorumRegained(after));
        }
    }

    /** Each other member's health, as the leader knows it; empty at other members (loop thread). */
    private List<MemberHealth> health() {
        List<FollowerHealth> followers = core.followerHealth();
        List<MemberHealth> health = new ArrayList<>(followers.size());
        long lastIndex = core.log().lastIndex();
        for (FollowerHealth follower : followers) {
            health.add(new MemberHealth(
                    follower.member(),
                    follower.reachable(),
                    Duration.ofNanos(follower.ticksSinceHeard() * thread.tickNanos()),
                    Math.max(0, lastIndex - follower.matchIndex())));
        }
        return health;
    }

    /**
     * At the leader, once per tick: tells the listener which followers stopped answering within the minimum election
     * timeout, and which answer again. A member that stops leading forgets the list, so a new leader reports afresh.
     */
    private void reportReachability() {
        if (stopped) {
            return;
        }
        List<FollowerHealth> followers = core.followerHealth();
        metrics.followersAre(followers, core.log().lastIndex());
        if (followers.isEmpty()) {
            unreachable.clear();
            return;
        }
        for (FollowerHealth follower : followers) {
            MemberId member = follower.member();
            if (!follower.reachable() && unreachable.add(member)) {
                GroupStatus now = status;
                callListener(() -> listener.memberUnreachable(member, now));
            } else if (follower.reachable() && unreachable.remove(member)) {
                GroupStatus now = status;
                callListener(() -> listener.memberReachable(member, now));
            }
        }
        if (!unreachable.isEmpty()) {
            unreachable.retainAll(followers.stream().map(FollowerHealth::member).toList()); // removed followers
        }
    }

    /** Flight-recorder events of a status change: a new leader heard of, an election this member won. */
    private void recordStatusEvents(GroupStatus before, GroupStatus after) {
        if (!before.leader().equals(after.leader())) {
            if (after.leader().isPresent()) {
                metrics.leaderChanges.increment();
            }
            RuntimeEvents.LeaderChanged event = new RuntimeEvents.LeaderChanged();
            if (event.shouldCommit()) {
                event.group = name;
                event.member = core.self().value();
                event.term = after.term();
                event.leader = after.leader().map(MemberId::value).orElse("");
                event.previousLeader = before.leader().map(MemberId::value).orElse("");
                event.commit();
            }
        }
        if (after.role() == GroupStatus.Role.LEADER
                && (before.role() != GroupStatus.Role.LEADER || before.term() != after.term())) {
            metrics.electionsWon.increment();
            RuntimeEvents.ElectionWon event = new RuntimeEvents.ElectionWon();
            if (event.shouldCommit()) {
                event.group = name;
                event.member = core.self().value();
                event.term = after.term();
                event.commit();
            }
        }
    }

    /**
     * The application's status for a status the core reported with its term and leader, which must come from that same
     * report: the core may have moved on since (a member that stepped down reports no leader, then learns the new one
     * a step later), and mixing its later leader with the earlier role would show, say, {@code NO_QUORUM} following a
     * leader. Commit and applied indexes only grow, so the latest are right.
     */
    private GroupStatus snapshotStatus(MemberStatus memberStatus, long term, Optional<MemberId> leader) {
        GroupStatus.Role role;
        switch (memberStatus) {
            case LEADER:
                role = GroupStatus.Role.LEADER;
                break;
            case FOLLOWER:
                role = GroupStatus.Role.FOLLOWER;
                break;
            case NOT_MEMBER:
                role = GroupStatus.Role.NOT_MEMBER;
                break;
            case STORAGE_FAULTED:
                role = GroupStatus.Role.STORAGE_FAULTED;
                break;
            default:
                role = GroupStatus.Role.NO_QUORUM;
        }
        return new GroupStatus(role, term, leader, core.commitIndex(), core.lastApplied());
    }

    private void callListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException bug) {
            LOG.error("GroupListener of group {} threw", name, bug);
        }
    }
}
