package dev.echo.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link FileLayer} over the real one that injects the disk faults of the journal issue: short writes (at most
 * {@link #maxBytesPerWrite} per call), a failing write, a full disk and a failing force, switched on at any moment by
 * a test.
 * Thread-safe: the switches are volatile.
 */
final class FaultInjectingFileLayer implements FileLayer {
    private final FileLayer real = FileLayer.nio();
    volatile int maxBytesPerWrite = Integer.MAX_VALUE;
    volatile boolean failWrites;
    /** Writes fail as on a full disk (the operating system's ENOSPC text). */
    volatile boolean diskFull;
    /**
     * Writes that grow a file fail as on a full disk, while writes into space a file already has succeed: a full
     * disk as a journal with preallocated segments meets it (on file systems that allocate in place).
     */
    volatile boolean noNewSpace;

    volatile boolean failForces;
    /** Runs before every force, on the forcing thread: a test may hold a force there. */
    volatile Runnable beforeForce = () -> {};

    @Override
    public StorageFile open(Path path) throws IOException {
        return new Faulty(real.open(path));
    }

    @Override
    public StorageFile openReadOnly(Path path) throws IOException {
        return real.openReadOnly(path);
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        return real.list(directory);
    }

    @Override
    public boolean exists(Path path) {
        return real.exists(path);
    }

    @Override
    public void delete(Path path) throws IOException {
        real.delete(path);
    }

    @Override
    public void moveAtomically(Path from, Path to) throws IOException {
        real.moveAtomically(from, to);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        if (failForces) {
            throw new IOException("injected: directory force failed");
        }
        real.forceDirectory(directory);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        real.createDirectories(directory);
    }

    @Override
    public Lock tryLock(Path path) throws IOException {
        return real.tryLock(path);
    }

    private final class Faulty implements StorageFile {
        private final StorageFile file;

        Faulty(StorageFile file) {
            this.file = file;
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            if (failWrites) {
                throw new IOException("injected: write failed (EIO)");
            }
            if (diskFull || noNewSpace && position + source.remaining() > file.size()) {
                throw new IOException("No space left on device (injected)");
            }
            int allowed = Math.min(source.remaining(), maxBytesPerWrite);
            ByteBuffer part = source.duplicate();
            part.limit(part.position() + allowed);
            int written = file.write(part, position);
            source.position(source.position() + written);
            return written;
        }

        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            return file.read(target, position);
        }

        @Override
        public void force() throws IOException {
            beforeForce.run();
            if (failForces) {
                throw new IOException("injected: fsync failed (EIO)");
            }
            file.force();
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            file.truncate(size);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
