package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.MulticastView;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One group's multicasts and flushes in flight at this member (PROTOCOL.md §13), between the application's futures and
 * the core: hands each to the core with an id, completes it from the core's answer, and passes deliveries and views to
 * the listener.
 *
 * <p>Threading: loop thread only.
 */
final class Multicasting {
    private final GroupProtocol core;
    private final GroupListener listener;
    private final Consumer<Runnable> callListener;
    private final Map<Long, CompletableFuture<Void>> sends = new HashMap<>();
    private final Map<Long, CompletableFuture<Void>> flushes = new HashMap<>();
    private final List<Input.SendMulticast> queued = new ArrayList<>();
    private long nextId;

    Multicasting(GroupProtocol core, GroupListener listener, Consumer<Runnable> callListener) {
        this.core = core;
        this.listener = listener;
        this.callListener = callListener;
    }

    /** Queues a multicast: the loop hands the queue to the core in one step ({@link #sendQueued}). */
    void queue(byte[] payload, CompletableFuture<Void> future) {
        long id = ++nextId;
        sends.put(id, future);
        queued.add(new Input.SendMulticast(id, payload));
    }

    /** Hands every queued multicast to the core at once: they go to the sequencer together. */
    void sendQueued() {
        if (!queued.isEmpty()) {
            core.step(new Input.SendMulticasts(queued));
            queued.clear();
        }
    }

    void flush(CompletableFuture<Void> future) {
        long id = ++nextId;
        flushes.put(id, future);
        core.step(new Input.Flush(id));
    }

    /** Handles a multicast output of the core; false if {@code output} is not one. */
    boolean onOutput(Output output) {
        if (output instanceof Output.MulticastDelivered delivered) {
            callListener.accept(
                    () -> listener.multicastDelivered(delivered.sender(), delivered.epoch(), delivered.payload()));
        } else if (output instanceof Output.MulticastViewInstalled installed) {
            MulticastView view = new MulticastView(installed.epoch(), installed.members(), installed.participating());
            callListener.accept(() -> listener.multicastViewInstalled(view));
        } else if (output instanceof Output.MulticastCompleted completed) {
            CompletableFuture<Void> future = sends.remove(completed.requestId());
            if (future != null) {
                completed
                        .failure()
                        .ifPresentOrElse(
                                failure -> future.completeExceptionally(failed(failure)), () -> future.complete(null));
            }
        } else if (output instanceof Output.FlushCompleted done) {
            CompletableFuture<Void> future = flushes.remove(done.flushId());
            if (future != null) {
                future.complete(null);
            }
        } else {
            return false;
        }
        return true;
    }

    /** The group stopped: every multicast and flush in flight fails with {@code cause}. */
    void failAll(EchoException cause) {
        queued.clear();
        sends.values().forEach(future -> future.completeExceptionally(cause));
        flushes.values().forEach(future -> future.completeExceptionally(cause));
        sends.clear();
        flushes.clear();
    }

    private static EchoException failed(Output.MulticastFailure failure) {
        return switch (failure) {
            case DISABLED ->
                new EchoException(
                        EchoException.Reason.INVALID,
                        "this group offers no multicast (GroupOptions.Builder.multicast)");
            case NOT_IN_VIEW ->
                new EchoException(
                        EchoException.Reason.NOT_IN_VIEW, "this member takes part in no multicast view right now");
            case OVERLOADED ->
                new EchoException(
                        EchoException.Reason.OVERLOADED, "too many multicasts of this member wait to be ordered");
            case TOO_LARGE ->
                new EchoException(EchoException.Reason.TOO_LARGE, "the multicast is larger than the group allows");
            case VIEW_CHANGED ->
                new EchoException(EchoException.Reason.VIEW_CHANGED, "the view ended before the multicast was ordered");
            case LEFT_VIEW ->
                new EchoException(
                        EchoException.Reason.LEFT_VIEW, "this member left the view before it delivered the multicast");
        };
    }
}
