package dev.echo.core.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exactly-once table (PROTOCOL.md §6): per client session, which sequences were applied and their results
 * until the client acknowledges them. Every decision depends only on the log, so every replica decides alike.
 * Bounded: at most {@code maxSessions} sessions (least recently used evicted) and sessions expire after
 * {@code ttlEntries} log entries without use. Not thread-safe.
 */
final class ClientSessions {
    /** Results kept per session before the oldest is treated as acknowledged (protects against a client that never acks). */
    static final int MAX_RESULTS_PER_SESSION = 65_536;

    private final int maxSessions;
    private final long ttlEntries;
    private final TreeMap<Long, Session> sessions = new TreeMap<>();
    /** lastUsedIndex → clientId; one entry per log index, so keys are unique. */
    private final TreeMap<Long, Long> byLastUse = new TreeMap<>();

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
        Session session = sessions.get(clientId);
        if (session == null) {
            session = new Session();
            sessions.put(clientId, session);
        }
        touch(clientId, session, index);
        while (sessions.size() > maxSessions) {
            Map.Entry<Long, Long> oldest = byLastUse.pollFirstEntry();
            sessions.remove(oldest.getValue());
        }
    }

    /** Decides what to do with command ({@code clientId}, {@code sequence}). */
    Decision decide(long clientId, long sequence) {
        Session session = sessions.get(clientId);
        if (session == null) {
            return new Refuse(RejectReason.SESSION_EXPIRED);
        }
        if (sequence <= session.ackedSequence) {
            return new Refuse(RejectReason.STALE_SEQUENCE);
        }
        Applied applied = session.results.get(sequence);
        return applied == null ? new Apply() : new Duplicate(applied.index, applied.result);
    }

    /** Records that the command was applied at {@code index} with {@code result}; the session must exist. */
    void recordApplied(long clientId, long sequence, long ackedSequence, long index, byte[] result) {
        Session session = sessions.get(clientId);
        if (session == null) {
            throw new IllegalStateException("recordApplied on unknown session " + clientId);
        }
        session.results.put(sequence, new Applied(index, result));
        acknowledge(session, ackedSequence);
        while (session.results.size() > MAX_RESULTS_PER_SESSION) {
            acknowledge(session, session.results.firstKey());
        }
        touch(clientId, session, index);
    }

    /** Applies the client's acknowledgement carried by any command of the session at {@code index}. */
    void acknowledge(long clientId, long ackedSequence, long index) {
        Session session = sessions.get(clientId);
        if (session != null) {
            acknowledge(session, ackedSequence);
            touch(clientId, session, index);
        }
    }

    /** Expires sessions unused for more than the TTL as of log index {@code index}. */
    void expire(long index) {
        while (!byLastUse.isEmpty() && byLastUse.firstKey() < index - ttlEntries) {
            Map.Entry<Long, Long> oldest = byLastUse.pollFirstEntry();
            sessions.remove(oldest.getValue());
        }
    }

    /**
     * The table as bytes, for a snapshot (PROTOCOL.md §6: the exactly-once table is snapshotted with the state, so a
     * member restored from a snapshot still recognises every retry). Deterministic: sessions in id order.
     */
    byte[] toBytes() {
        int size = 4;
        for (Session session : sessions.values()) {
            size += 8 + 8 + 8 + 4;
            for (Applied applied : session.results.values()) {
                size += 8 + 8 + 4 + applied.result.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(sessions.size());
        for (Map.Entry<Long, Session> entry : sessions.entrySet()) {
            Session session = entry.getValue();
            out.putLong(entry.getKey()).putLong(session.ackedSequence).putLong(session.lastUsedIndex);
            out.putInt(session.results.size());
            for (Map.Entry<Long, Applied> result : session.results.entrySet()) {
                out.putLong(result.getKey()).putLong(result.getValue().index).putInt(result.getValue().result.length);
                out.put(result.getValue().result);
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
        sessions.clear();
        byLastUse.clear();
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int count = nonNegative(in.getInt(), "session count");
            for (int i = 0; i < count; i++) {
                long clientId = in.getLong();
                Session session = new Session();
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
                    session.results.put(sequence, new Applied(index, result));
                }
                // Each session once, each log index last used by one session (byLastUse keys are unique).
                if (sessions.put(clientId, session) != null || byLastUse.put(session.lastUsedIndex, clientId) != null) {
                    throw new IllegalArgumentException("session " + clientId + " or its last index repeats");
                }
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the session table");
            }
        } catch (BufferUnderflowException truncated) {
            throw new IllegalArgumentException("session table is truncated", truncated);
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
            session.results.headMap(ackedSequence, true).clear();
        }
    }

    private void touch(long clientId, Session session, long index) {
        if (session.lastUsedIndex >= 0) {
            byLastUse.remove(session.lastUsedIndex);
        }
        session.lastUsedIndex = index;
        byLastUse.put(index, clientId);
    }

    private record Applied(long index, byte[] result) {}

    private static final class Session {
        long ackedSequence;
        long lastUsedIndex = -1;
        final TreeMap<Long, Applied> results = new TreeMap<>();
    }
}
