package dev.echo.core.protocol;

import dev.echo.core.StateMachine;
import java.util.Objects;

/**
 * Applies committed entries to the application's state machine, in log order and exactly once per client command
 * (PROTOCOL.md §6: the session table answers a retried command with its first result), and completes the requests
 * waiting at this member with their outcomes. Committed configurations become views (§8), which the state machine
 * hears between the commands around them, and multicast views are cut at their place (§13).
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread, which is the thread that calls the
 * {@link StateMachine}.
 */
final class Applier {
    private final MemberState state;
    private final Outbox outbox;
    private final PendingOperations pending;
    private final ClientSessions sessions;
    private final StateMachine stateMachine;
    private final Multicasts multicasts;
    private final LogReads logReads;

    Applier(
            MemberState state,
            LogReads logReads,
            Outbox outbox,
            PendingOperations pending,
            ClientSessions sessions,
            StateMachine stateMachine,
            Multicasts multicasts) {
        this.multicasts = multicasts;
        this.logReads = logReads;
        this.state = state;
        this.outbox = outbox;
        this.pending = pending;
        this.sessions = sessions;
        this.stateMachine = stateMachine;
    }

    /**
     * Applies every committed entry not yet applied; none while a snapshot replaces the state machine. An entry
     * evicted from the log cache (after a restart, or when applying fell behind the cache) is read back from the
     * journal first: applying resumes when it arrives.
     */
    void applyCommitted(boolean installingSnapshot) {
        while (state.lastApplied < state.commitIndex && !installingSnapshot) {
            Entry next = state.log.inMemory(state.lastApplied + 1);
            if (next == null) {
                logReads.request(state.lastApplied + 1);
                return;
            }
            state.lastApplied++;
            apply(next);
        }
    }

    private void apply(Entry entry) {
        Entry.Payload payload = entry.payload();
        if (payload instanceof Entry.OpenSession open) {
            sessions.open(open.clientId(), entry.index());
            complete(open.clientId(), 0, new Output.Committed(entry.index(), new byte[0], false));
        } else if (payload instanceof Entry.Command command) {
            complete(command.clientId(), command.sequence(), applyCommand(entry.index(), command));
        } else if (payload instanceof Entry.ConfigurationChange change
                && change.configuration() instanceof Configuration view) {
            stateMachine.viewChanged(entry.index(), Views.of(view, entry.index()));
            outbox.add(new Output.ViewChanged(entry.index(), view));
        } else if (payload instanceof Entry.ViewCut cut) {
            multicasts.cutApplied(entry.index(), entry.term(), cut);
        }
        sessions.expire(entry.index());
    }

    private Output.Outcome applyCommand(long index, Entry.Command command) {
        ClientSessions.Decision decision = sessions.decide(command.clientId(), command.sequence());
        if (decision instanceof ClientSessions.Refuse refuse) {
            sessions.acknowledge(command.clientId(), command.ackedSequence(), index);
            return new Output.Rejected(refuse.reason());
        }
        if (decision instanceof ClientSessions.Duplicate duplicate) {
            sessions.acknowledge(command.clientId(), command.ackedSequence(), index);
            return new Output.Committed(duplicate.index(), duplicate.result(), false);
        }
        byte[] result = Objects.requireNonNull(stateMachine.apply(index, command.command()), "state machine result");
        sessions.recordApplied(command.clientId(), command.sequence(), command.ackedSequence(), index, result);
        return new Output.Committed(index, result, false);
    }

    private void complete(long clientId, long sequence, Output.Outcome outcome) {
        if (pending.completeRequest(clientId, sequence) != null) {
            outbox.add(
                    sequence == 0
                            ? new Output.SessionOpened(clientId, outcome)
                            : new Output.Completed(clientId, sequence, outcome));
        }
    }

    /**
     * The runtime installed a snapshot received from the leader (PROTOCOL.md §8): the state machine holds its state,
     * so the member's apply point, commit index and session table jump to it, and the state machine hears the view
     * the snapshot was taken in.
     */
    void snapshotInstalled(SnapshotMeta meta, byte[] sessionTable) {
        sessions.restore(sessionTable);
        state.commitIndex = meta.index();
        state.lastApplied = meta.index();
        if (meta.configuration() instanceof Configuration view) {
            stateMachine.viewChanged(meta.index(), Views.of(view, meta.configurationIndex()));
            outbox.add(new Output.ViewChanged(meta.configurationIndex(), view));
        }
        multicasts.stateTransferred();
        outbox.add(new Output.StateInstalled(meta.index()));
    }
}
