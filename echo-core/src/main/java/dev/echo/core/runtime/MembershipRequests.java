package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.View;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The application's membership changes at one member (add, remove, re-weight, re-rank, leave): hands each edit to
 * the core, which applies it at the leader or forwards it there. The caller's future completes with the view once
 * the change is committed <em>and applied at this member</em> (so {@link dev.echo.core.ReplicatedGroup#view()}
 * already shows it, and a leaving member has heard of its own removal), or fails with a typed error, or with
 * {@code TIMEOUT} after the request timeout. Loop thread only.
 */
final class MembershipRequests {
    private final GroupProtocol core;
    private final Map<Long, Waiting> waiting = new LinkedHashMap<>();
    private long nextRequestId = 1;

    /** A request; {@code committedIndex} is set once the change is committed, -1 before. */
    private static final class Waiting {
        final String description;
        final CompletableFuture<View> future;
        final long deadlineNanos;
        long committedIndex = -1;

        Waiting(String description, CompletableFuture<View> future, long deadlineNanos) {
            this.description = description;
            this.future = future;
            this.deadlineNanos = deadlineNanos;
        }
    }

    MembershipRequests(GroupProtocol core) {
        this.core = core;
    }

    void request(GroupLoop.ChangeMembership change) {
        long id = nextRequestId++;
        String description = change.change().toString();
        waiting.put(id, new Waiting(description, change.future(), change.deadlineNanos()));
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
        waiting.remove(done.requestId());
        if (outcome instanceof Output.Rejected rejected) {
            request.future.completeExceptionally(Rejections.of(rejected.reason(), request.description));
        } else {
            request.future.completeExceptionally(new EchoException(
                    EchoException.Reason.TIMEOUT,
                    request.description + ": leadership changed midway; the change may still take effect "
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

    /** Requests past their deadline fail with {@code TIMEOUT}: the change may or may not take effect. */
    void expire(long nowNanos) {
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
            Waiting request = it.next();
            if (nowNanos - request.deadlineNanos >= 0) {
                it.remove();
                request.future.completeExceptionally(new EchoException(
                        EchoException.Reason.TIMEOUT,
                        request.description
                                + (request.committedIndex >= 0
                                        ? ": committed, but not yet applied at this member"
                                        : ": no answer from the leader in time")));
            }
        }
    }

    void failAll(EchoException cause) {
        waiting.values().forEach(request -> request.future.completeExceptionally(cause));
        waiting.clear();
    }
}
