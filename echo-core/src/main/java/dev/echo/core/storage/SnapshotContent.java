package dev.echo.core.storage;

import dev.echo.core.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The bytes of a snapshot (PROTOCOL.md §8): the exactly-once table the core keeps, then the state machine's own bytes.
 * The runtime writes and reads snapshots through here, and so does the simulator, so that both store the same thing.
 *
 * <p>Layout: {@code [int sessionTableLength][sessionTable][stateMachineBytes...]}. Stateless; thread-safe.
 */
public final class SnapshotContent {
    /** The largest session table read back; a longer length field means a damaged snapshot. */
    public static final int MAX_SESSION_TABLE_BYTES = 1 << 30;

    private SnapshotContent() {}

    /**
     * Writes a snapshot.
     *
     * @param out where to write; not closed
     * @param sessionTable the core's exactly-once table
     * @param state the state machine's captured state
     * @throws IOException if writing fails
     */
    public static void write(OutputStream out, byte[] sessionTable, StateMachine.Snapshot state) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(sessionTable.length);
        data.write(sessionTable);
        data.flush();
        state.writeTo(out);
        out.flush();
    }

    /**
     * Restores {@code stateMachine} from a whole snapshot and returns the session table stored with it. The stream is
     * read to its end even if the state machine stops early, so a checksumming stream verifies it.
     *
     * @param in the snapshot's bytes from the start; not closed
     * @param stateMachine the state machine to restore
     * @return the session table
     * @throws IOException if the stream cannot be read or does not hold a snapshot the state machine accepts
     */
    public static byte[] restore(InputStream in, StateMachine stateMachine) throws IOException {
        byte[] sessions = readSessionTable(in);
        stateMachine.restore(in);
        in.transferTo(OutputStream.nullOutputStream());
        return sessions;
    }

    /**
     * Reads the session table from the start of a snapshot, leaving {@code in} at the state machine's bytes.
     *
     * @param in the snapshot's bytes from the start; not closed
     * @return the session table
     * @throws IOException if the stream ends early or the length is impossible
     */
    public static byte[] readSessionTable(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        if (length < 0 || length > MAX_SESSION_TABLE_BYTES) {
            throw new IOException("snapshot session table length " + length + " is impossible");
        }
        byte[] table = in.readNBytes(length);
        if (table.length != length) {
            throw new EOFException("snapshot ends inside its session table");
        }
        return table;
    }
}
