package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.View;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.RejectReason;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The application's membership changes at one member (add, remove, re-weight, re-rank, leave): hands each edit to
 * the core, which applies it at the leader or forwards it there. The caller's future completes with the view once
 * the change is committed <em>and applied at this member</em> (so {@link dev.echo.core.ReplicatedGroup#view()}
 * already shows it, and a leaving member has heard of its own removal), or fails with a typed error, or with
 * {@code TIMEOUT} after the request timeout. Loop thread only.
 */
final class MembershipRequests {
    /**
     * How often a change refused because its new voter has not caught up is asked again, until its deadline
     * (PROTOCOL.md §8): a few round trips, so that a member catching up is promoted soon after, without flooding the
     * leader with requests.
     */
    static final long CATCH_UP_RETRY_NANOS = 50_000_000L;

    private final GroupProtocol core;
    private final LongSupplier clock;
    private final Map<Long, Waiting> waiting = new LinkedHashMap<>();
    private long nextRequestId = 1;

    /**
     * A request; {@code committedIndex} is set once the change is committed, -1 before; {@code retryAtNanos} once it
     * waits to be asked again, else -1.
     */
    private static final class Waiting {
        final MembershipChange change;
        final CompletableFuture<View> future;
        final long deadlineNanos;
        long committedIndex = -1;
        long retryAtNanos = -1;

        Waiting(MembershipChange change, CompletableFuture<View> future, long deadlineNanos) {
            this.change = change;
            this.future = future;
            this.deadlineNanos = deadlineNanos;
        }

        String description() {
            return change.toString();
        }
    }

    /** @param clock the node's time, on which deadlines and retries are measured */
    MembershipRequests(GroupProtocol core, LongSupplier clock) {
        this.core = core;
        this.clock = clock;
    }

    void request(GroupLoop.ChangeMembership change) {
        long id = nextRequestId++;
        waiting.put(id, new Waiting(change.change(), change.future(), change.deadlineNanos()));
        core.step(new Input.ChangeMembership(id, change.change()));
    }

    void completed(Output.ReconfigurationCompleted done, View view) {
        Waiting request = waiting.get(done.requestId());
        if (request == null) {
            return;
        }
        Output.Outcome outcome = done.outcome();
        if (outcome instanceof Output.Committed committed) {
            request.committedIndex = committed.index();
            viewApplied(view); // at once if this member has applied it already
            return;
        }
        if (outcome instanceof Output.Rejected rejected && rejected.reason() == RejectReason.NOT_CAUGHT_UP) {
            request.retryAtNanos = clock.getAsLong() + CATCH_UP_RETRY_NANOS; // waits for the catch-up (§8)
            return;
        }
        waiting.remove(done.requestId());
        if (outcome instanceof Output.Rejected rejected) {
            request.future.completeExceptionally(Rejections.of(rejected.reason(), request.description()));
        } else {
            request.future.completeExceptionally(new EchoException(
                    EchoException.Reason.TIMEOUT,
                    request.description() + ": leadership changed midway; the change may still take effect "
                            + "(watch GroupListener.viewChanged)"));
        }
    }

    /** A configuration was applied at this member: changes committed at or below its epoch are done. */
    void viewApplied(View view) {
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
            Waiting request = it.next();
            if (request.committedIndex >= 0 && request.committedIndex <= view.epoch()) {
                it.remove();
                request.future.complete(view);
            }
        }
    }

    /**
     * Requests past their deadline fail: with {@code NOT_CAUGHT_UP} if the leader last refused them for a new voter
     * that had not caught up (nothing changed), else with {@code TIMEOUT} (the change may or may not take effect).
     * Refused ones whose retry is due are asked again.
     */
    void expire(long nowNanos) {
        List<Long> retries = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Waiting>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Waiting> entry = it.next();
            Waiting request = entry.getValue();
            if (nowNanos - request.deadlineNanos >= 0 && request.retryAtNanos >= 0) {
                it.remove();
                request.future.completeExceptionally(Rejections.of(RejectReason.NOT_CAUGHT_UP, request.description()));
            } else if (nowNanos - request.deadlineNanos >= 0) {
                it.remove();
                request.future.completeExceptionally(new EchoException(
                        EchoException.Reason.TIMEOUT,
                        request.description()
                                + (request.committedIndex >= 0
                                        ? ": committed, but not yet applied at this member"
                                        : ": no answer from the leader in time")));
            } else if (request.retryAtNanos >= 0 && nowNanos - request.retryAtNanos >= 0) {
                request.retryAtNanos = -1;
                retries.add(entry.getKey());
            }
        }
        for (long id : retries) { // asked after the walk, which is over the map the answers edit
            core.step(new Input.ChangeMembership(id, waiting.get(id).change));
        }
    }

    void failAll(EchoException cause) {
        waiting.values().forEach(request -> request.future.completeExceptionally(cause));
        waiting.clear();
    }
}
