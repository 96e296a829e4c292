package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.GroupStatus;
import dev.echo.core.JoinProgress;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberHealth;
import dev.echo.core.MemberId;
import dev.echo.core.Ordering;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.View;
import dev.echo.core.protocol.MembershipChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one group at this member, as the application's {@link ReplicatedGroup}: admission through the
 * in-flight limit, then a hand-off to the group loop. Internal.
 *
 * <p>Thread-safe. Only {@link #submit} and the reads with {@code waitWhenFull} may block (for a permit).
 */
public final class GroupHandle implements ReplicatedGroup {
    private final GroupLoop loop;
    private final Semaphore inFlight;
    private final boolean waitWhenFull;
    private final long timeoutNanos;
    private final int maxCommandBytes;
    private final Runnable onClose;
    private volatile boolean closed;

    GroupHandle(
            GroupLoop loop,
            Semaphore inFlight,
            boolean waitWhenFull,
            Duration requestTimeout,
            int maxCommandBytes,
            Runnable onClose) {
        this.loop = loop;
        this.inFlight = inFlight;
        this.waitWhenFull = waitWhenFull;
        this.timeoutNanos = requestTimeout.toNanos();
        this.maxCommandBytes = maxCommandBytes;
        this.onClose = onClose;
    }

    @Override
    public String name() {
        return loop.name();
    }

    @Override
    public CompletableFuture<byte[]> submit(byte[] command) {
        Objects.requireNonNull(command, "command");
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (admit(command, future)) {
            long now = loop.now();
            loop.offerClient(new GroupLoop.Submit(command.clone(), future, now, now + timeoutNanos));
        }
        return future;
    }

    @Override
    public List<CompletableFuture<byte[]>> submitAll(List<byte[]> commands) {
        Objects.requireNonNull(commands, "commands");
        List<CompletableFuture<byte[]>> futures = new ArrayList<>(commands.size());
        List<GroupLoop.Submit> admitted = new ArrayList<>(commands.size());
        long now = loop.now();
        long deadline = now + timeoutNanos;
        for (byte[] command : commands) {
            Objects.requireNonNull(command, "command");
            CompletableFuture<byte[]> future = new CompletableFuture<>();
            futures.add(future);
            if (admit(command, future)) {
                admitted.add(new GroupLoop.Submit(command.clone(), future, now, deadline));
            }
        }
        if (!admitted.isEmpty()) {
            loop.offerClient(new GroupLoop.SubmitBatch(admitted));
        }
        return futures;
    }

    @Override
    public CompletableFuture<byte[]> read(byte[] query) {
        return read(query, false);
    }

    @Override
    public CompletableFuture<byte[]> readStale(byte[] query) {
        return read(query, true);
    }

    private CompletableFuture<byte[]> read(byte[] query, boolean stale) {
        Objects.requireNonNull(query, "query");
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (admit(query, future)) {
            loop.offerClient(new GroupLoop.Read(query.clone(), stale, future, loop.now() + timeoutNanos));
        }
        return future;
    }

    @Override
    public CompletableFuture<GroupStatus> transferLeadership(MemberId target) {
        CompletableFuture<GroupStatus> future = new CompletableFuture<>();
        return offerUnlessClosed(
                future,
                new GroupLoop.Transfer(Objects.requireNonNull(target, "target"), future, loop.now() + timeoutNanos));
    }

    @Override
    public CompletableFuture<View> addVoter(MemberId member, int weight) {
        return changeMembership(new MembershipChange.AddVoter(member, weight));
    }

    @Override
    public CompletableFuture<View> addLearner(MemberId member) {
        return changeMembership(new MembershipChange.AddLearner(member));
    }

    @Override
    public CompletableFuture<View> addLearner(MemberId member, MemberAddress address) {
        return changeMembership(new MembershipChange.AddLearner(member, Optional.of(address)));
    }

    @Override
    public CompletableFuture<View> replace(MemberId replaced, MemberId replacement, MemberAddress address) {
        return addLearner(replacement, address)
                .thenCompose(added -> changeMembership(new MembershipChange.Replace(replacement, replaced)));
    }

    @Override
    public CompletableFuture<View> removeMember(MemberId member) {
        return changeMembership(new MembershipChange.Remove(member));
    }

    @Override
    public CompletableFuture<View> makeTop(MemberId member) {
        return changeMembership(new MembershipChange.MakeTop(member));
    }

    @Override
    public CompletableFuture<View> leave() {
        return changeMembership(new MembershipChange.Remove(self())).thenApply(view -> {
            close();
            return view;
        });
    }

    private CompletableFuture<View> changeMembership(MembershipChange change) {
        CompletableFuture<View> future = new CompletableFuture<>();
        return offerUnlessClosed(future, new GroupLoop.ChangeMembership(change, future, loop.now() + timeoutNanos));
    }

    /** Hands {@code op} to the loop, or fails {@code future} with {@code CLOSED} if this handle is closed. */
    private <T> CompletableFuture<T> offerUnlessClosed(CompletableFuture<T> future, GroupLoop.ClientOp op) {
        if (closed) {
            future.completeExceptionally(
                    new EchoException(EchoException.Reason.CLOSED, "group " + name() + " is closed"));
        } else {
            loop.offerClient(op);
        }
        return future;
    }

    /** This member's id. */
    MemberId self() {
        return loop.self();
    }

    @Override
    public Optional<JoinProgress> joining() {
        return loop.joinProgress();
    }

    @Override
    public GroupStatus status() {
        return loop.status();
    }

    @Override
    public CompletableFuture<GroupStatus> whenQuorum() {
        return loop.whenQuorum();
    }

    @Override
    public View view() {
        return loop.view();
    }

    @Override
    public CompletableFuture<Void> multicast(byte[] payload, Ordering ordering) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(ordering, "ordering"); // one total order serves every ordering (Ordering)
        CompletableFuture<Void> future = new CompletableFuture<>();
        return offerUnlessClosed(future, new GroupLoop.Multicast(payload.clone(), future));
    }

    @Override
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        return offerUnlessClosed(future, new GroupLoop.Flush(future));
    }

    @Override
    public CompletableFuture<List<MemberHealth>> health() {
        CompletableFuture<List<MemberHealth>> future = new CompletableFuture<>();
        return offerUnlessClosed(future, new GroupLoop.Health(future));
    }

    /** Messages from peers dropped because this group's inbox was full. */
    public long droppedMessages() {
        return loop.droppedMessages();
    }

    @Override
    public void close() {
        closeAsync();
    }

    /** Stops the group at this member; pending operations fail with {@code CLOSED}. Idempotent. */
    CompletableFuture<Void> closeAsync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.complete(null);
            return done;
        }
        closed = true;
        loop.offerClient(new GroupLoop.Close(done));
        return done.whenComplete((ignored, error) -> onClose.run());
    }

    private boolean admit(byte[] bytes, CompletableFuture<byte[]> future) {
        if (closed) {
            future.completeExceptionally(
                    new EchoException(EchoException.Reason.CLOSED, "group " + name() + " is closed"));
            return false;
        }
        if (bytes.length > maxCommandBytes) {
            future.completeExceptionally(new EchoException(
                    EchoException.Reason.TOO_LARGE, bytes.length + " bytes exceed the limit of " + maxCommandBytes));
            return false;
        }
        boolean admitted;
        try {
            admitted = waitWhenFull ? inFlight.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS) : inFlight.tryAcquire();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            future.completeExceptionally(new EchoException(
                    EchoException.Reason.OVERLOADED, "too many operations in flight in group " + name()));
        }
        return admitted;
    }
}
