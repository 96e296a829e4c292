package dev.echo.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One open file of the journal or snapshot store, with positional reads and writes. The journal reaches the disk only
 * through this interface and {@link FileLayer}, so tests can inject write errors, short writes and failed forces.
 *
 * <p>Threading: positional reads may run concurrently with each other and with writes; writes, forces and truncation
 * come from one thread at a time.
 */
public interface StorageFile extends Closeable {
    /**
     * Writes some bytes of {@code source} at {@code position}; may write fewer than remain (a short write).
     *
     * @return the number of bytes written
     */
    int write(ByteBuffer source, long position) throws IOException;

    /**
     * Reads up to {@code target.remaining()} bytes at {@code position}.
     *
     * @return the number of bytes read, or -1 at the end of the file
     */
    int read(ByteBuffer target, long position) throws IOException;

    /** Forces written data to stable storage (fdatasync). */
    void force() throws IOException;

    /** The file's current size in bytes. */
    long size() throws IOException;

    /** Shrinks the file to {@code size} bytes. */
    void truncate(long size) throws IOException;

    /** Writes all of {@code source} at {@code position}, looping over short writes. */
    default void writeFully(ByteBuffer source, long position) throws IOException {
        long at = position;
        while (source.hasRemaining()) {
            at += write(source, at);
        }
    }

    /** Reads until {@code target} is full or the file ends; returns the bytes read. */
    default int readFully(ByteBuffer target, long position) throws IOException {
        int total = 0;
        while (target.hasRemaining()) {
            int read = read(target, position + total);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }
}
