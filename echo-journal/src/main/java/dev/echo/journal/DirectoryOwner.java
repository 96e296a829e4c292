package dev.echo.journal;

import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Who owns a journal directory: a {@code journal.id} file naming the cluster and node (written once, atomically), and
 * an exclusive lock on {@code journal.lock} held while the journal is open, so a second process (or a second journal
 * in this one) cannot write the same directory.
 *
 * <p>Not thread-safe; used by {@link FileJournal} while opening and closing.
 */
final class DirectoryOwner implements AutoCloseable {
    static final String ID_FILE = "journal.id";
    static final String LOCK_FILE = "journal.lock";
    private static final String FORMAT = "echo-journal 1";

    private final FileLayer.Lock lock;

    private DirectoryOwner(FileLayer.Lock lock) {
        this.lock = lock;
    }

    /** Locks the directory and checks (or, for a new directory, records) its owner. */
    static DirectoryOwner claim(JournalOptions options) throws StorageException {
        Path directory = options.directory();
        FileLayer files = options.fileLayer();
        FileLayer.Lock lock;
        try {
            files.createDirectories(directory);
            lock = files.tryLock(directory.resolve(LOCK_FILE));
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot open journal directory " + directory, e);
        }
        if (lock == null) {
            throw new StorageException(Reason.ILLEGAL_STATE, "journal directory " + directory + " is in use");
        }
        DirectoryOwner owner = new DirectoryOwner(lock);
        try {
            owner.checkIdentity(options);
        } catch (StorageException | RuntimeException refused) {
            owner.close();
            throw refused;
        } catch (IOException e) {
            owner.close();
            throw new StorageException(Reason.IO, "cannot open journal directory " + directory, e);
        }
        return owner;
    }

    private void checkIdentity(JournalOptions options) throws StorageException, IOException {
        FileLayer files = options.fileLayer();
        Path idFile = options.directory().resolve(ID_FILE);
        String expected = FORMAT + "\ncluster=" + options.clusterId() + "\nnode=" + options.nodeId() + "\n";
        if (!files.exists(idFile)) {
            byte[] body = (expected + "crc=" + crc(expected) + "\n").getBytes(StandardCharsets.US_ASCII);
            Path temporary = options.directory().resolve(ID_FILE + ".tmp");
            try (StorageFile file = files.open(temporary)) {
                file.truncate(0);
                file.writeFully(ByteBuffer.wrap(body), 0);
                file.force();
            }
            files.moveAtomically(temporary, idFile);
            files.forceDirectory(options.directory());
            return;
        }
        String text;
        try (StorageFile file = files.openReadOnly(idFile)) {
            if (file.size() > 4096) {
                throw new StorageException(Reason.WRONG_OWNER, idFile + " is not an Echo journal identity file");
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) file.size());
            file.readFully(bytes, 0);
            text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII);
        }
        int crcAt = text.lastIndexOf("crc=");
        if (!text.startsWith(FORMAT + "\n")
                || crcAt < 0
                || !text.substring(crcAt).trim().equals("crc=" + crc(text.substring(0, crcAt)))) {
            throw new StorageException(
                    text.startsWith("echo-journal ") && !text.startsWith(FORMAT + "\n")
                            ? Reason.UNSUPPORTED_VERSION
                            : Reason.WRONG_OWNER,
                    idFile + " is damaged or not an Echo journal identity file of format '" + FORMAT + "'");
        }
        String found = text.substring(0, crcAt);
        if (!found.equals(expected)) {
            throw new StorageException(
                    Reason.WRONG_OWNER,
                    "journal directory " + options.directory() + " belongs to "
                            + found.substring(FORMAT.length() + 1).trim().replace('\n', ' ') + ", not cluster="
                            + options.clusterId() + " node=" + options.nodeId());
        }
    }

    private static String crc(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        return Long.toHexString(crc.getValue());
    }

    @Override
    public void close() {
        lock.close();
    }
}
