package dev.echo.testkit.sim;

import dev.echo.core.StateMachine;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.SnapshotContent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The simulated runtime's snapshot work (PROTOCOL.md §8), done the way the real runtime does it: the state is captured
 * at once and stored after a simulated disk latency; chunks are read from the stored snapshot; received chunks are
 * written in order and the last one stores the snapshot durably and restores the state machine before the core hears
 * of it. A crash in between loses the work, as it would on a real machine. Not thread-safe; driven by the
 * {@link Simulation}.
 */
final class SimSnapshots {
    private final Simulation simulation;

    SimSnapshots(Simulation simulation) {
        this.simulation = simulation;
    }

    /** {@link Output.TakeSnapshot}: capture now, store after the write's latency, then tell the core. */
    void take(SimNode node, Output.TakeSnapshot take) {
        StateMachine.Snapshot state = node.stateMachine.snapshot();
        int incarnation = node.incarnation;
        byte[] bytes = content(take.sessions(), state);
        simulation.schedule(simulation.now() + simulation.snapshotLatencyMicros(), () -> {
            if (node.alive() && node.incarnation == incarnation) {
                node.disk().storeSnapshot(take.meta(), bytes);
                simulation.input(node, new Input.SnapshotTaken(take.meta()));
            }
        });
    }

    /** {@link Output.SendSnapshotChunk}: read the chunk from the stored snapshot and send it, if still stored. */
    void sendChunk(SimNode node, Output.SendSnapshotChunk chunk) {
        node.disk().snapshot().ifPresent(stored -> {
            if (stored.meta().index() != chunk.meta().index() || chunk.offset() > stored.bytes().length) {
                return; // replaced by a newer snapshot: the leader's resend moves to it
            }
            int from = (int) chunk.offset();
            int to = (int) Math.min(stored.bytes().length, chunk.offset() + chunk.maxBytes());
            Message.InstallSnapshot message = new Message.InstallSnapshot(
                    node.id(),
                    chunk.term(),
                    chunk.meta().index(),
                    chunk.meta().term(),
                    chunk.meta().configuration(),
                    chunk.meta().configurationIndex(),
                    chunk.offset(),
                    Arrays.copyOfRange(stored.bytes(), from, to),
                    to == stored.bytes().length);
            simulation.deliver(node, new Output.Send(chunk.to(), message));
        });
    }

    /** {@link Output.StoreSnapshotChunk}: write it; the last one stores the snapshot and restores the state. */
    void storeChunk(SimNode node, Output.StoreSnapshotChunk chunk) {
        int incarnation = node.incarnation;
        simulation.schedule(simulation.now() + simulation.snapshotLatencyMicros(), () -> {
            if (!node.alive() || node.incarnation != incarnation) {
                return;
            }
            byte[] received = node.disk().receiveChunk(chunk.offset(), chunk.data());
            if (received == null) {
                return; // a chunk of a transfer a newer one replaced
            }
            if (!chunk.last()) {
                simulation.input(
                        node, new Input.SnapshotChunkStored(chunk.meta().index(), received.length));
                return;
            }
            node.disk().storeSnapshot(chunk.meta(), received);
            try {
                byte[] sessions = SnapshotContent.restore(new ByteArrayInputStream(received), node.stateMachine);
                simulation.input(node, new Input.SnapshotInstalled(chunk.meta(), sessions));
            } catch (IOException e) {
                throw new UncheckedIOException("a snapshot the leader sent does not restore", e);
            }
        });
    }

    private static byte[] content(byte[] sessions, StateMachine.Snapshot state) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SnapshotContent.write(out, sessions, state);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
