package dev.echo.testkit.sim;

import dev.echo.core.StateMachine;
import dev.echo.core.View;
import dev.echo.core.protocol.Entry;
import dev.echo.testkit.kv.KvStateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

    /**
     * One call of {@link #viewChanged}.
     *
     * @param index the log index the view is in force from
     * @param view the view
     */
    public record ViewHeard(long index, View view) {}

    private final KvStateMachine delegate = new KvStateMachine();
    private final List<ViewHeard> views = new ArrayList<>();
    /** Highest index this replica has seen in the apply stream: a command's, a view's or a restored snapshot's. */
    private long streamIndex;

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
        if (index <= streamIndex) {
            throw new IllegalStateException("§13 apply at " + index + " after the stream reached " + streamIndex);
        }
        streamIndex = index;
        byte[] result = delegate.apply(index, command);
        Entry.Command entry = (Entry.Command) entryAt.apply(index).payload();
        boolean duplicate = !applied.add(new SessionKey(entry.clientId(), entry.sequence()));
        recent.add(new Application(index, entry.clientId(), entry.sequence(), delegate.digest(), duplicate));
        return result;
    }

    /**
     * Records the view; a view of a log entry must come after every command before it and before every command after
     * it (PROTOCOL.md §13); a restored snapshot's comes first, at the snapshot's index.
     */
    @Override
    public void viewChanged(long index, View view) {
        if (index <= streamIndex) {
            throw new IllegalStateException("§13 view at " + index + " after the stream reached " + streamIndex);
        }
        streamIndex = index;
        views.add(new ViewHeard(index, view));
    }

    @Override
    public byte[] query(byte[] query) {
        return delegate.query(query);
    }

    /** Captures the map and which sessions this replica applied, so a restored replica still detects duplicates. */
    @Override
    public Snapshot snapshot() {
        Snapshot map = delegate.snapshot();
        List<SessionKey> appliedNow = new ArrayList<>(applied);
        return out -> {
            DataOutputStream stream = new DataOutputStream(out);
            stream.writeInt(appliedNow.size());
            for (SessionKey key : appliedNow) {
                stream.writeLong(key.clientId());
                stream.writeLong(key.sequence());
            }
            stream.flush();
            map.writeTo(out);
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream stream = new DataInputStream(in);
        int count = stream.readInt();
        TreeSet<SessionKey> restored = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            restored.add(new SessionKey(stream.readLong(), stream.readLong()));
        }
        delegate.restore(in);
        streamIndex = 0; // the core then reports the snapshot's view at the snapshot's index
        applied.clear();
        applied.addAll(restored);
    }

    /** Digest of the current state (PROTOCOL.md §11.7, §11.13). */
    public long digest() {
        return delegate.digest();
    }

    /** Views heard since the last call, oldest first. */
    public List<ViewHeard> drainViews() {
        List<ViewHeard> out = new ArrayList<>(views);
        views.clear();
        return out;
    }

    /** Applications since the last call, oldest first. */
    public List<Application> drainRecent() {
        List<Application> out = new ArrayList<>(recent);
        recent.clear();
        return out;
    }
}
