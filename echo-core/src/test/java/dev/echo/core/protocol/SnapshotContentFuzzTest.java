package dev.echo.core.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.echo.core.StateMachine;
import dev.echo.core.storage.SnapshotContent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Fuzz target for the bytes of a snapshot as its chunks arrive from a leader (PROTOCOL.md §8): the session table and
 * the state after it. Any bytes either restore, or are refused with an {@link IOException} (the stream) or an
 * {@link IllegalArgumentException} (a table that is not one); nothing else may escape, and nothing is allocated beyond
 * what the bytes hold. Replays its regression inputs under {@code ./mvnw test}; docs/testing.md says how to fuzz.
 */
class SnapshotContentFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void snapshotBytes(byte[] bytes) {
        byte[] table;
        try {
            table = SnapshotContent.restore(new ByteArrayInputStream(bytes), new DrainingMachine());
        } catch (IOException refused) {
            return;
        }
        try {
            new ClientSessions(1024, 1_000_000).restore(table);
        } catch (IllegalArgumentException refused) {
            // typed: the table is not one
        }
    }

    /** A state machine whose snapshot is any bytes: it reads them all. */
    private static final class DrainingMachine implements StateMachine {
        @Override
        public byte[] apply(long index, byte[] command) {
            return new byte[0];
        }

        @Override
        public byte[] query(byte[] query) {
            return new byte[0];
        }

        @Override
        public void restore(InputStream in) throws IOException {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
