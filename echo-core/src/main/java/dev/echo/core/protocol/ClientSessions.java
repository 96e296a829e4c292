package dev.echo.core.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exactly-once table (PROTOCOL.md §6): per client session, which sequences were applied and their results
 * until the client acknowledges them. Every decision depends only on the log, so every replica decides alike.
 * Bounded: at most {@code maxSessions} sessions (least recently used evicted) and sessions expire after
 * {@code ttlEntries} log entries without use. Not thread-safe.
 *
 * <p>Every replica runs this for every command, so the common path allocates only the remembered result: sessions
 * are found by a hash index (the last one found is kept, as commands of one session come in runs), their results sit
 * in a ring sorted by sequence ({@link SessionResults}), and recency is a
 * list threaded through the sessions themselves. Entries are applied in log order, so a session touched is always the
 * most recent and goes to the list's tail; the head is the least recently used. No decision depends on the hash
 * index's order: the snapshot writes sessions in id order.
 */
final class ClientSessions {
    /** Results kept per session before the oldest is treated as acknowledged (protects against a client that never acks). */
    static final int MAX_RESULTS_PER_SESSION = 65_536;

    private static final Apply APPLY = new Apply();

    private final int maxSessions;
    private final long ttlEntries;
    private final Map<Long, Session> sessions = new HashMap<>();
    /** Least recently used first: ordered by {@link Session#lastUsedIndex}, which is unique per session. */
    private Session leastRecent;

    private Session mostRecent;
    /** The session {@link #find} returned last, or null: a cache in front of the hash index. */
    private Session lastFound;

    ClientSessions(int maxSessions, long ttlEntries) {
        this.maxSessions = maxSessions;
        this.ttlEntries = ttlEntries;
    }

    /** What applying a command must do. */
    sealed interface Decision {}

    /** First time: apply it. */
    record Apply() implements Decision {}

    /** Already applied at {@code index}; answer with the remembered result. */
    record Duplicate(long index, byte[] result) implements Decision {}

    /** Not applied: the session is unknown, or the sequence was acknowledged and forgotten. */
    record Refuse(RejectReason reason) implements Decision {}

    /** Opens {@code clientId} at log index {@code index}; re-opening an existing session only touches it. */
    void open(long clientId, long index) {
        Session session = find(clientId);
        if (session == null) {
            session = new Session(clientId);
            sessions.put(clientId, session);
        }
        touch(session, index);
        while (sessions.size() > maxSessions) {
            remove(leastRecent);
        }
    }

    /** Decides what to do with command ({@code clientId}, {@code sequence}). */
    Decision decide(long clientId, long sequence) {
        Session session = find(clientId);
        if (session == null) {
            return new Refuse(RejectReason.SESSION_EXPIRED);
        }
        if (sequence <= session.ackedSequence) {
            return new Refuse(RejectReason.STALE_SEQUENCE);
        }
        SessionResults results = session.results;
        int at = results.find(sequence);
        return at < 0 ? APPLY : new Duplicate(results.indexAt(at), results.resultAt(at));
    }

    /** Records that the command was applied at {@code index} with {@code result}; the session must exist. */
    void recordApplied(long clientId, long sequence, long ackedSequence, long index, byte[] result) {
        Session session = find(clientId);
        if (session == null) {
            throw new IllegalStateException("recordApplied on unknown session " + clientId);
        }
        session.results.put(sequence, index, result);
        acknowledge(session, ackedSequence);
        while (session.results.size() > MAX_RESULTS_PER_SESSION) {
            acknowledge(session, session.results.firstSequence());
        }
        touch(session, index);
    }

    /** Applies the client's acknowledgement carried by any command of the session at {@code index}. */
    void acknowledge(long clientId, long ackedSequence, long index) {
        Session session = find(clientId);
        if (session != null) {
            acknowledge(session, ackedSequence);
            touch(session, index);
        }
    }

    /** Expires sessions unused for more than the TTL as of log index {@code index}. */
    void expire(long index) {
        while (leastRecent != null && leastRecent.lastUsedIndex < index - ttlEntries) {
            remove(leastRecent);
        }
    }

    /**
     * The table as bytes, for a snapshot (PROTOCOL.md §6: the exactly-once table is snapshotted with the state, so a
     * member restored from a snapshot still recognises every retry). Deterministic: sessions in id order.
     */
    byte[] toBytes() {
        List<Session> inIdOrder = new ArrayList<>(sessions.values());
        inIdOrder.sort(Comparator.comparingLong(session -> session.clientId));
        int size = 4;
        for (Session session : inIdOrder) {
            size += 8 + 8 + 8 + 4;
            for (int at = 0; at < session.results.size(); at++) {
                size += 8 + 8 + 4 + session.results.resultAt(at).length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(sessions.size());
        for (Session session : inIdOrder) {
            out.putLong(session.clientId).putLong(session.ackedSequence).putLong(session.lastUsedIndex);
            SessionResults results = session.results;
            out.putInt(results.size());
            for (int at = 0; at < results.size(); at++) {
                byte[] result = results.resultAt(at);
                out.putLong(results.sequenceAt(at)).putLong(results.indexAt(at)).putInt(result.length);
                out.put(result);
            }
        }
        return out.array();
    }

    /**
     * Replaces the table with one written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not such a table
     */
    void restore(byte[] bytes) {
        Map<Long, Session> restored = new HashMap<>();
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int count = nonNegative(in.getInt(), "session count");
            for (int i = 0; i < count; i++) {
                Session session = new Session(in.getLong());
                session.ackedSequence = in.getLong();
                session.lastUsedIndex = in.getLong();
                int results = nonNegative(in.getInt(), "result count");
                for (int r = 0; r < results; r++) {
                    long sequence = in.getLong();
                    long index = in.getLong();
                    int length = nonNegative(in.getInt(), "result length");
                    if (length > in.remaining()) { // checked before allocating: a length is no promise of bytes
                        throw new IllegalArgumentException(
                                "result of " + length + " bytes with " + in.remaining() + " left");
                    }
                    byte[] result = new byte[length];
                    in.get(result);
                    session.results.put(sequence, index, result);
                }
                if (restored.put(session.clientId, session) != null) {
                    throw new IllegalArgumentException("session " + session.clientId + " repeats");
                }
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the session table");
            }
        } catch (BufferUnderflowException truncated) {
            throw new IllegalArgumentException("session table is truncated", truncated);
        }
        List<Session> byLastUse = new ArrayList<>(restored.values());
        byLastUse.sort(Comparator.comparingLong(session -> session.lastUsedIndex));
        for (int i = 1; i < byLastUse.size(); i++) {
            // One entry touches one session: two sessions last used at one index is no table this class wrote.
            if (byLastUse.get(i).lastUsedIndex == byLastUse.get(i - 1).lastUsedIndex) {
                throw new IllegalArgumentException("two sessions last used at index " + byLastUse.get(i).lastUsedIndex);
            }
        }
        sessions.clear();
        leastRecent = null;
        mostRecent = null;
        lastFound = null;
        for (Session session : byLastUse) {
            sessions.put(session.clientId, session);
            append(session);
        }
    }

    private static int nonNegative(int value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " is negative: " + value);
        }
        return value;
    }

    /** Number of live sessions. */
    int size() {
        return sessions.size();
    }

    private static void acknowledge(Session session, long ackedSequence) {
        if (ackedSequence > session.ackedSequence) {
            session.ackedSequence = ackedSequence;
            SessionResults results = session.results;
            while (!results.isEmpty() && results.firstSequence() <= ackedSequence) {
                results.removeFirst();
            }
        }
    }

    private Session find(long clientId) {
        Session session = lastFound;
        if (session == null || session.clientId != clientId) {
            session = sessions.get(clientId);
            lastFound = session;
        }
        return session;
    }

    /** Marks {@code session} used at {@code index}, the newest index applied: it becomes the most recent. */
    private void touch(Session session, long index) {
        MemberState.check(
                mostRecent == null || mostRecent == session || index > mostRecent.lastUsedIndex,
                "§6: session used at %d, before the last use at %d",
                index,
                mostRecent == null ? -1 : mostRecent.lastUsedIndex);
        unlink(session);
        session.lastUsedIndex = index;
        append(session);
    }

    private void remove(Session session) {
        sessions.remove(session.clientId);
        unlink(session);
        if (lastFound == session) {
            lastFound = null;
        }
    }

    private void append(Session session) {
        session.newer = null;
        session.older = mostRecent;
        if (mostRecent == null) {
            leastRecent = session;
        } else {
            mostRecent.newer = session;
        }
        mostRecent = session;
    }

    private void unlink(Session session) {
        if (session.older != null) {
            session.older.newer = session.newer;
        } else if (leastRecent == session) {
            leastRecent = session.newer;
        }
        if (session.newer != null) {
            session.newer.older = session.older;
        } else if (mostRecent == session) {
            mostRecent = session.older;
        }
        session.older = null;
        session.newer = null;
    }

    private static final class Session {
        final long clientId;
        long ackedSequence;
        long lastUsedIndex = -1;
        final SessionResults results = new SessionResults();
        /** Neighbours in the recency list; null at its ends and when not linked. */
        Session older;

        Session newer;

        Session(long clientId) {
            this.clientId = clientId;
        }
    }
}
