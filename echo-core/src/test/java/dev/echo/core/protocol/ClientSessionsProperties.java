package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The exactly-once table against a model written for clarity (sorted maps, the least recently used session found by
 * a scan): the same decisions, the same evictions and expiries, and byte-identical snapshots, with the table
 * restored from its own snapshot at random points, as a member restarted from a snapshot would be. Each step is one
 * log entry applied the way {@code Applier} applies it.
 */
class ClientSessionsProperties {
    private static final int CLIENTS = 7;

    @Property(tries = 300)
    void decidesAndSnapshotsLikeTheModel(@ForAll long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int maxSessions = 1 + random.nextInt(5);
        long ttl = 5 + random.nextInt(40);
        ClientSessions table = new ClientSessions(maxSessions, ttl);
        Model model = new Model(maxSessions, ttl);
        for (long index = 1; index <= 600; index++) {
            long clientId = 1 + random.nextInt(CLIENTS);
            if (random.nextInt(6) == 0) {
                table.open(clientId, index);
                model.open(clientId, index);
            } else {
                long sequence = 1 + random.nextInt(30);
                long acked = random.nextInt(3) == 0 ? random.nextLong(sequence) : 0;
                byte[] result = {(byte) index, (byte) (index >> 8)};
                ClientSessions.Decision decision = table.decide(clientId, sequence);
                assertEquals(model.decide(clientId, sequence), describe(decision), "decision at index " + index);
                if (decision instanceof ClientSessions.Apply) {
                    table.recordApplied(clientId, sequence, acked, index, result);
                    model.recordApplied(clientId, sequence, acked, index, result);
                } else {
                    table.acknowledge(clientId, acked, index);
                    model.acknowledge(clientId, acked, index);
                }
            }
            table.expire(index);
            model.expire(index);
            assertEquals(model.sessions.size(), table.size());
            assertArrayEquals(model.toBytes(), table.toBytes(), "snapshot after index " + index);
            if (random.nextInt(40) == 0) {
                ClientSessions restored = new ClientSessions(maxSessions, ttl);
                restored.restore(table.toBytes());
                table = restored;
            }
        }
    }

    @Property(tries = 50)
    void refusesATableWithTwoSessionsLastUsedAtOneIndex(@ForAll long seed) throws IOException {
        Model model = new Model(10, 1_000);
        long index = 1 + new SplittableRandom(seed).nextInt(1_000);
        model.open(1, index);
        model.open(2, index + 1);
        model.sessions.get(2L).lastUsed = index;
        ClientSessions table = new ClientSessions(10, 1_000);
        assertThrows(IllegalArgumentException.class, () -> table.restore(model.toBytes()));
    }

    private static String describe(ClientSessions.Decision decision) {
        if (decision instanceof ClientSessions.Duplicate duplicate) {
            return "duplicate@" + duplicate.index() + "/" + duplicate.result()[0];
        }
        if (decision instanceof ClientSessions.Refuse refuse) {
            return "refuse " + refuse.reason();
        }
        return "apply";
    }

    /** The table's rules, spelled out. */
    private static final class Model {
        final int maxSessions;
        final long ttl;
        final TreeMap<Long, ModelSession> sessions = new TreeMap<>();

        Model(int maxSessions, long ttl) {
            this.maxSessions = maxSessions;
            this.ttl = ttl;
        }

        void open(long clientId, long index) {
            sessions.computeIfAbsent(clientId, id -> new ModelSession()).lastUsed = index;
            while (sessions.size() > maxSessions) {
                sessions.remove(leastRecentlyUsed());
            }
        }

        String decide(long clientId, long sequence) {
            ModelSession session = sessions.get(clientId);
            if (session == null) {
                return "refuse " + RejectReason.SESSION_EXPIRED;
            }
            if (sequence <= session.acked) {
                return "refuse " + RejectReason.STALE_SEQUENCE;
            }
            long[] applied = session.results.get(sequence);
            return applied == null ? "apply" : "duplicate@" + applied[0] + "/" + (byte) applied[1];
        }

        void recordApplied(long clientId, long sequence, long acked, long index, byte[] result) {
            ModelSession session = sessions.get(clientId);
            session.results.put(sequence, new long[] {index, result[0], result[1]});
            session.acknowledge(acked);
            session.lastUsed = index;
        }

        void acknowledge(long clientId, long acked, long index) {
            ModelSession session = sessions.get(clientId);
            if (session != null) {
                session.acknowledge(acked);
                session.lastUsed = index;
            }
        }

        void expire(long index) {
            sessions.values().removeIf(session -> session.lastUsed < index - ttl);
        }

        long leastRecentlyUsed() {
            return sessions.entrySet().stream()
                    .min(Comparator.comparingLong(entry -> entry.getValue().lastUsed))
                    .orElseThrow()
                    .getKey();
        }

        /** The snapshot format of {@code ClientSessions.toBytes}: sessions in id order. */
        byte[] toBytes() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(sessions.size());
            for (Map.Entry<Long, ModelSession> entry : sessions.entrySet()) {
                ModelSession session = entry.getValue();
                out.writeLong(entry.getKey());
                out.writeLong(session.acked);
                out.writeLong(session.lastUsed);
                out.writeInt(session.results.size());
                for (Map.Entry<Long, long[]> result : session.results.entrySet()) {
                    out.writeLong(result.getKey());
                    out.writeLong(result.getValue()[0]);
                    out.writeInt(2);
                    out.writeByte((int) result.getValue()[1]);
                    out.writeByte((int) result.getValue()[2]);
                }
            }
            return bytes.toByteArray();
        }
    }

    private static final class ModelSession {
        long acked;
        long lastUsed;
        final TreeMap<Long, long[]> results = new TreeMap<>();

        void acknowledge(long sequence) {
            if (sequence > acked) {
                acked = sequence;
                results.headMap(sequence, true).clear();
            }
        }
    }
}
