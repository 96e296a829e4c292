package dev.echo.journal;

import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.EntryCodec;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.SnapshotStore;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

/**
 * Snapshots of one group in {@code snapshots/<group>/snapshot-<index>.snap}. A file is a header (magic, version,
 * index, term, configuration, the configuration's log index, header CRC32C), the state machine's bytes, and a trailer (data length, data CRC32C).
 * It is written under a temporary name, forced, renamed and the directory forced, so a snapshot is either complete
 * and durable or invisible. Snapshots older than the group's compacted index are deleted when a newer one commits.
 *
 * <p>Thread-safe: {@link #latest()} reads a cached value; creating, committing and opening synchronize on the store.
 */
final class FileSnapshotStore implements SnapshotStore {
    private static final long MAGIC = 0x4543484F534E4150L; // "ECHOSNAP"
    /** 3: the configuration's log index follows it (its view's epoch). 2 had none, and is still read. */
    private static final int VERSION = 3;

    private static final int VERSION_WITHOUT_CONFIGURATION_INDEX = 2;

    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Path directory;
    private final FileLayer files;
    private final LongSupplier compactedIndex;
    private final AtomicLong temporaries = new AtomicLong();
    private volatile Optional<SnapshotMeta> latest = Optional.empty();

    FileSnapshotStore(Path directory, FileLayer files, LongSupplier compactedIndex) throws StorageException {
        this.directory = directory;
        this.files = files;
        this.compactedIndex = compactedIndex;
        try {
            files.createDirectories(directory);
            for (Path path : files.list(directory)) {
                String name = path.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    files.delete(path); // an uncommitted snapshot from before a crash
                } else if (indexOf(path) > 0) {
                    try {
                        latest = Optional.of(readHeader(path).meta);
                    } catch (StorageException damaged) {
                        // A damaged snapshot is never offered; recovery reports it if the log needs it.
                        continue;
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot open snapshot directory " + directory, e);
        }
    }

    /** Whether a valid snapshot exists at exactly {@code index}. */
    synchronized boolean has(long index) {
        try {
            return readHeader(pathOf(index)).meta.index() == index;
        } catch (StorageException missingOrDamaged) {
            return false;
        }
    }

    @Override
    public Optional<SnapshotMeta> latest() {
        return latest;
    }

    @Override
    public synchronized SnapshotMeta meta(long index) throws StorageException {
        return readHeader(pathOf(index)).meta;
    }

    @Override
    public synchronized Writer create(SnapshotMeta meta) throws StorageException {
        // Unique within this process's life; temporary files of earlier lives were deleted when the store opened.
        Path temporary = directory.resolve(PREFIX + meta.index() + "-" + temporaries.incrementAndGet() + ".tmp");
        try {
            StorageFile file = files.open(temporary);
            file.truncate(0);
            ByteBuffer header = encodeHeader(meta);
            file.writeFully(header, 0);
            return new FileWriter(meta, temporary, file, header.limit());
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot create snapshot file " + temporary, e);
        }
    }

    @Override
    public InputStream open(long index) throws StorageException {
        return openData(files, pathOf(index));
    }

    /**
     * Opens a committed snapshot file's state-machine bytes, verifying length and checksum as the stream reaches its
     * end. Blocks on disk reads.
     */
    static InputStream openData(FileLayer files, Path path) throws StorageException {
        Header header = readHeader(files, path);
        try {
            StorageFile file = files.openReadOnly(path);
            long dataEnd = file.size() - 12;
            if (dataEnd < header.length) {
                file.close();
                throw new StorageException(Reason.CORRUPT_SNAPSHOT, path + " is truncated");
            }
            return new VerifyingInput(path, file, header.length, dataEnd);
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot open snapshot " + path, e);
        }
    }

    private synchronized void committed(SnapshotMeta meta, Path temporary) throws StorageException {
        Path target = pathOf(meta.index());
        try {
            files.moveAtomically(temporary, target);
            files.forceDirectory(directory);
            if (latest.map(SnapshotMeta::index).orElse(0L) < meta.index()) {
                latest = Optional.of(meta);
            }
            long keepFrom = Math.min(compactedIndex.getAsLong(), meta.index());
            for (Path path : files.list(directory)) {
                long index = indexOf(path);
                if (index > 0 && index < keepFrom) {
                    files.delete(path);
                }
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot commit snapshot " + target, e);
        }
    }

    private Path pathOf(long index) {
        return directory.resolve(String.format("%s%020d%s", PREFIX, index, SUFFIX));
    }

    /** The index in a committed snapshot file's name, or -1 if the name is not one (a temporary file, say). */
    static long indexOf(Path path) {
        String name = path.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || name.length() != PREFIX.length() + 20 + 5) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 20));
        } catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    private static ByteBuffer encodeHeader(SnapshotMeta meta) {
        int configBytes = EntryCodec.quorumSystemSize(meta.configuration());
        ByteBuffer header = ByteBuffer.allocate(8 + 4 + 8 + 8 + 4 + configBytes + 8 + 4);
        header.putLong(MAGIC)
                .putInt(VERSION)
                .putLong(meta.index())
                .putLong(meta.term())
                .putInt(configBytes);
        EntryCodec.writeQuorumSystem(meta.configuration(), header);
        header.putLong(meta.configurationIndex());
        header.putInt(crc(header.array(), 0, header.position()));
        header.flip();
        return header;
    }

    private record Header(SnapshotMeta meta, int length) {}

    private Header readHeader(Path path) throws StorageException {
        return readHeader(files, path);
    }

    /** What a snapshot file covers, from its checksummed header; blocks on a disk read. */
    static SnapshotMeta readMeta(FileLayer files, Path path) throws StorageException {
        return readHeader(files, path).meta;
    }

    private static Header readHeader(FileLayer files, Path path) throws StorageException {
        if (!files.exists(path)) {
            throw new StorageException(Reason.MISSING_SNAPSHOT, "snapshot " + path + " does not exist");
        }
        try (StorageFile file = files.openReadOnly(path)) {
            ByteBuffer fixed = ByteBuffer.allocate(32);
            if (file.readFully(fixed, 0) < 32) {
                throw new StorageException(Reason.CORRUPT_SNAPSHOT, path + " is too short");
            }
            fixed.flip();
            if (fixed.getLong() != MAGIC) {
                throw new StorageException(Reason.CORRUPT_SNAPSHOT, path + " is not an Echo snapshot");
            }
            int version = fixed.getInt();
            if (version != VERSION && version != VERSION_WITHOUT_CONFIGURATION_INDEX) {
                throw new StorageException(Reason.UNSUPPORTED_VERSION, path + " has snapshot version " + version);
            }
            long index = fixed.getLong();
            long term = fixed.getLong();
            int configBytes = fixed.getInt();
            if (configBytes < 0 || configBytes > MAX_HEADER_BYTES) {
                throw new StorageException(Reason.CORRUPT_SNAPSHOT, path + " has a bad header");
            }
            int checked = 32 + configBytes + (version == VERSION ? 8 : 0);
            ByteBuffer whole = ByteBuffer.allocate(checked + 4);
            if (file.readFully(whole, 0) < whole.capacity()) {
                throw new StorageException(Reason.CORRUPT_SNAPSHOT, path + " is truncated");
            }
            int expected = whole.getInt(checked);
            if (expected != crc(whole.array(), 0, checked)) {
                throw new StorageException(Reason.CORRUPT_SNAPSHOT, path + " fails its header checksum");
            }
            ByteBuffer config = ByteBuffer.wrap(whole.array(), 32, configBytes);
            QuorumSystem configuration = EntryCodec.readQuorumSystem(config);
            // Version 2 did not record it: the snapshot's index, the epoch that release reported after a restore.
            long configurationIndex = version == VERSION ? whole.getLong(32 + configBytes) : index;
            return new Header(new SnapshotMeta(index, term, configuration, configurationIndex), whole.capacity());
        } catch (CodecException | IllegalArgumentException e) {
            throw new StorageException(Reason.CORRUPT_SNAPSHOT, path + ": " + e.getMessage());
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot read snapshot " + path, e);
        }
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** Streams the state machine's bytes into the temporary file, checksumming as it goes. */
    private final class FileWriter implements Writer {
        private final SnapshotMeta meta;
        private final Path temporary;
        private final StorageFile file;
        private final CRC32C crc = new CRC32C();
        private final OutputStream stream;
        private final long headerLength;
        private long position;
        private boolean done;

        FileWriter(SnapshotMeta meta, Path temporary, StorageFile file, long headerLength) {
            this.meta = meta;
            this.temporary = temporary;
            this.file = file;
            this.headerLength = headerLength;
            this.position = headerLength;
            this.stream = new BufferedOutputStream(
                    new OutputStream() {
                        @Override
                        public void write(int b) throws IOException {
                            write(new byte[] {(byte) b}, 0, 1);
                        }

                        @Override
                        public void write(byte[] bytes, int offset, int length) throws IOException {
                            if (done) {
                                throw new IOException("snapshot writer already committed or closed");
                            }
                            crc.update(bytes, offset, length);
                            file.writeFully(ByteBuffer.wrap(bytes, offset, length), position);
                            position += length;
                        }
                    },
                    64 * 1024);
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void commit() throws StorageException {
            try {
                stream.flush();
                long dataLength = position - headerLength;
                ByteBuffer trailer = ByteBuffer.allocate(12).putLong(dataLength).putInt((int) crc.getValue());
                trailer.flip();
                file.writeFully(trailer, position);
                file.force();
                file.close();
                done = true;
            } catch (IOException e) {
                close();
                throw new StorageException(Reason.IO, "cannot write snapshot " + temporary, e);
            }
            committed(meta, temporary);
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                file.close();
                files.delete(temporary);
            } catch (IOException ignored) {
                // Removed at the next open if it survives.
            }
        }
    }

    /** Reads the data region and checks length and CRC32C against the trailer at the end. */
    private static final class VerifyingInput extends InputStream {
        private final Path path;
        private final StorageFile file;
        private final long start;
        private final long end;
        private final CRC32C crc = new CRC32C();
        private long position;
        private boolean verified;

        VerifyingInput(Path path, StorageFile file, long start, long end) {
            this.path = path;
            this.file = file;
            this.start = start;
            this.end = end;
            this.position = start;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (position >= end) {
                verify();
                return -1;
            }
            int wanted = (int) Math.min(length, end - position);
            int read = file.read(ByteBuffer.wrap(bytes, offset, wanted), position);
            if (read < 0) {
                throw corrupt("ends early");
            }
            crc.update(bytes, offset, read);
            position += read;
            return read;
        }

        private void verify() throws IOException {
            if (verified) {
                return;
            }
            ByteBuffer trailer = ByteBuffer.allocate(12);
            file.readFully(trailer, end);
            trailer.flip();
            if (trailer.remaining() < 12
                    || trailer.getLong() != end - start
                    || trailer.getInt() != (int) crc.getValue()) {
                throw corrupt("fails its checksum");
            }
            verified = true;
        }

        private IOException corrupt(String what) {
            return new IOException(
                    "snapshot " + path + " " + what,
                    new StorageException(Reason.CORRUPT_SNAPSHOT, "snapshot " + path + " " + what));
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
