package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.View;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.RejectReason;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The application's membership changes at one member (add, remove, re-weight, re-rank): turns an edit of the current
 * configuration into the core's {@code ChangeConfiguration} and completes the caller's future with the committed
 * view, or a typed error. Changes are made at the leader, which edits the configuration it knows to be the latest;
 * another member answers {@link EchoException.Reason#NOT_LEADER} naming the leader. Loop thread only.
 */
final class MembershipRequests {
    private final GroupProtocol core;
    private final Map<Long, CompletableFuture<View>> waiting = new HashMap<>();
    private long nextRequestId = 1;

    MembershipRequests(GroupProtocol core) {
        this.core = core;
    }

    void request(GroupLoop.ChangeMembership change) {
        if (core.role() != GroupProtocol.Role.LEADER) {
            String leader = core.leaderId().map(id -> "; the leader is " + id).orElse("; no leader is known");
            change.future()
                    .completeExceptionally(new EchoException(
                            EchoException.Reason.NOT_LEADER,
                            change.description() + ": this member does not lead" + leader));
            return;
        }
        if (!(core.configuration() instanceof Configuration current)) {
            change.future()
                    .completeExceptionally(new EchoException(
                            EchoException.Reason.CHANGE_IN_PROGRESS,
                            change.description() + ": a change is in progress"));
            return;
        }
        Configuration target;
        try {
            target = change.edit().apply(current);
        } catch (IllegalArgumentException invalid) {
            change.future()
                    .completeExceptionally(new EchoException(
                            EchoException.Reason.INVALID, change.description() + ": " + invalid.getMessage()));
            return;
        }
        long id = nextRequestId++;
        waiting.put(id, change.future());
        core.step(new Input.ChangeConfiguration(id, target));
    }

    void completed(Output.ReconfigurationCompleted done, View view) {
        CompletableFuture<View> future = waiting.remove(done.requestId());
        if (future == null) {
            return;
        }
        Output.Outcome outcome = done.outcome();
        if (outcome instanceof Output.Committed) {
            future.complete(view);
        } else if (outcome instanceof Output.Rejected rejected) {
            future.completeExceptionally(rejection(rejected.reason()));
        } else {
            future.completeExceptionally(new EchoException(
                    EchoException.Reason.TIMEOUT,
                    "leadership was lost during the change; it may still take effect (watch viewChanged)"));
        }
    }

    void failAll(EchoException cause) {
        waiting.values().forEach(future -> future.completeExceptionally(cause));
        waiting.clear();
    }

    private static EchoException rejection(RejectReason reason) {
        return switch (reason) {
            case NOT_LEADER -> new EchoException(EchoException.Reason.NOT_LEADER, "this member no longer leads");
            case CHANGE_IN_PROGRESS ->
                new EchoException(
                        EchoException.Reason.CHANGE_IN_PROGRESS,
                        "another change is in progress, or the new leader has not committed its first entry yet");
            default -> new EchoException(EchoException.Reason.INVALID, "the change was refused: " + reason);
        };
    }
}
