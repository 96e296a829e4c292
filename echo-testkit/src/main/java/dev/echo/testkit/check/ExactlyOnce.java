package dev.echo.testkit.check;

import dev.echo.core.protocol.Entry;
import dev.echo.testkit.sim.RecordingStateMachine;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * PROTOCOL.md §11.15: every client operation is applied at most once per replica; every acknowledged one is in the
 * committed log at the index it was acknowledged with; and one refused on its first attempt is never applied.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class ExactlyOnce implements Invariant {
    private final TreeMap<String, Long> acknowledged = new TreeMap<>();
    private final TreeSet<String> refused = new TreeSet<>();

    /** The client was told (clientId, sequence) committed at {@code index}. */
    public void acknowledged(long clientId, long sequence, long index) {
        acknowledged.put(key(clientId, sequence), index);
    }

    /** The client was told (clientId, sequence) was certainly not applied. */
    public void refused(long clientId, long sequence) {
        refused.add(key(clientId, sequence));
    }

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        for (RecordingStateMachine.Application application : step.applications()) {
            if (application.duplicate()) {
                throw new InvariantViolation(
                        "§11.15 exactly once",
                        step.node().id() + " applied " + key(application.clientId(), application.sequence())
                                + " twice (again at " + application.index() + ")");
            }
            if (refused.contains(key(application.clientId(), application.sequence()))) {
                throw new InvariantViolation(
                        "§11.15 refused means not applied",
                        step.node().id() + " applied " + key(application.clientId(), application.sequence()) + " at "
                                + application.index() + " after the client was told it was refused");
            }
        }
    }

    /** After the run: every acknowledged operation is in the committed log where it was said to be. */
    public void atEnd(ClusterView cluster) {
        CommittedLog committed = cluster.committed();
        for (var ack : acknowledged.entrySet()) {
            long index = ack.getValue();
            if (index > committed.lastIndex()
                    || !(committed.entry(index).payload() instanceof Entry.Command command)
                    || !key(command.clientId(), command.sequence()).equals(ack.getKey())) {
                throw new InvariantViolation(
                        "§11.15 acknowledged means committed",
                        ack.getKey() + " was acknowledged at index " + index + " but the committed log disagrees");
            }
        }
    }

    private static String key(long clientId, long sequence) {
        return clientId + "#" + sequence;
    }
}
