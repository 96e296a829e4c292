package dev.echo.testkit.sim;

import dev.echo.core.StateMachine;
import dev.echo.core.protocol.Entry;
import dev.echo.testkit.kv.KvStateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * Wraps a member's {@link KvStateMachine} and records every application call: which log index, which client
 * command, and the state digest after it, so the checkers can verify §11.7 and §11.15 after each step. Not
 * thread-safe.
 */
public final class RecordingStateMachine implements StateMachine {
    /**
     * One call of {@link #apply}.
     *
     * @param index log index
     * @param clientId the command's session
     * @param sequence the command's sequence
     * @param digest state digest after applying it
     * @param duplicate true if this incarnation had already applied (clientId, sequence)
     */
    public record Application(long index, long clientId, long sequence, long digest, boolean duplicate) {}

    private final KvStateMachine delegate = new KvStateMachine();
    private final LongFunction<Entry> entryAt;
    private final TreeSet<SessionKey> applied = new TreeSet<>();
    private final List<Application> recent = new ArrayList<>();

    private record SessionKey(long clientId, long sequence) implements Comparable<SessionKey> {
        @Override
        public int compareTo(SessionKey o) {
            int c = Long.compare(clientId, o.clientId);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    RecordingStateMachine(LongFunction<Entry> entryAt) {
        this.entryAt = entryAt;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        byte[] result = delegate.apply(index, command);
        Entry.Command entry = (Entry.Command) entryAt.apply(index).payload();
        boolean duplicate = !applied.add(new SessionKey(entry.clientId(), entry.sequence()));
        recent.add(new Application(index, entry.clientId(), entry.sequence(), delegate.digest(), duplicate));
        return result;
    }

    @Override
    public byte[] query(byte[] query) {
        return delegate.query(query);
    }

    /** Applications since the last call, oldest first. */
    public List<Application> drainRecent() {
        List<Application> out = new ArrayList<>(recent);
        recent.clear();
        return out;
    }
}
