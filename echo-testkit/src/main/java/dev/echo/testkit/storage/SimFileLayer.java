package dev.echo.testkit.storage;

import dev.echo.journal.FileLayer;
import dev.echo.journal.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One simulated machine's disk, in memory, for running the real {@code FileJournal} under the simulator. It keeps
 * what a crash may lose apart from what it may not, under the strict POSIX rules the journal is written against:
 *
 * <ul>
 *   <li>File data is durable once the file is forced; written-but-not-forced sectors survive a crash each on its own
 *       (any subset, in any order), and one may be torn at any byte.
 *   <li>Creating, renaming and deleting a file change the directory; those changes are durable once the directory is
 *       forced. Before that a crash keeps a prefix of them, in order (as a metadata journal commits them).
 *   <li>A forced file whose name was never made durable is gone after a crash.
 * </ul>
 *
 * <p>Faults the simulator can switch on: a failed force ({@link #failNextForce}), a full disk ({@link
 * #capacityBytes}), a bit flipped in forced data ({@link #flipDurableBit}), and a misdirected write, whose sector lands
 * at another offset of the file when the machine crashes ({@link #crash}). Directories are always durable.
 *
 * <p>Not thread-safe: for the single-threaded simulator, with the journal in invoker mode.
 */
public final class SimFileLayer implements FileLayer {
    /** The unit a disk writes atomically; a torn write keeps a prefix of one. */
    static final int SECTOR = 512;

    private Map<Path, Inode> visible = new TreeMap<>();
    private Map<Path, Inode> durable = new TreeMap<>();
    /** Directory changes since each directory was last forced, oldest first. */
    private final Map<Path, List<Runnable>> unforcedDirectoryChanges = new HashMap<>();

    private final Set<Path> directories = new HashSet<>();
    private final Set<Path> locks = new HashSet<>();
    private int life;
    private boolean failNextForce;
    private boolean failReads;
    private long refusedReads;
    private long capacityBytes = Long.MAX_VALUE;

    /** What the last {@link #crash} did to unforced data. */
    public record CrashDamage(int sectorsLost, int sectorsTorn, int sectorsMisdirected) {
        /** Whether any unforced write came back other than whole or absent. */
        public boolean tore() {
            return sectorsTorn > 0 || sectorsMisdirected > 0;
        }
    }

    /** A file's bytes: what the program sees, and what a crash keeps. */
    private static final class Inode {
        byte[] data = new byte[0];
        int size;
        byte[] durableData = new byte[0];
        int durableSize;
        /** The written-but-not-forced byte range, empty when {@code dirtyFrom >= dirtyTo}. */
        int dirtyFrom = Integer.MAX_VALUE;

        int dirtyTo;

        void force() {
            if (dirtyFrom < dirtyTo) {
                durableData = grow(durableData, dirtyTo);
                System.arraycopy(data, dirtyFrom, durableData, dirtyFrom, dirtyTo - dirtyFrom);
            }
            if (size < durableSize) {
                Arrays.fill(durableData, size, durableSize, (byte) 0); // a forced truncation
            }
            durableSize = size;
            dirtyFrom = Integer.MAX_VALUE;
            dirtyTo = 0;
        }

        long allocated() {
            return Math.max(size, durableSize);
        }
    }

    /** Makes the next force of a file or directory fail with an I/O error, as a dying disk does. */
    public void failNextForce() {
        failNextForce = true;
    }

    /**
     * Makes every read fail with an I/O error ({@code failing}) until called with false, {@link #heal()} or a crash,
     * as a flaky controller does: what a running node reads back (evicted log entries, snapshot chunks) must be asked
     * for again later. Other faults of the disk are left as they are.
     */
    public void failReads(boolean failing) {
        failReads = failing;
    }

    /** The reads refused while {@link #failReads} held, over every life of this disk. */
    public long refusedReads() {
        return refusedReads;
    }

    /** Limits the bytes all files may hold; a write past it fails with "No space left on device". */
    public void capacityBytes(long bytes) {
        capacityBytes = bytes;
    }

    /** Ends every fault switched on: no force fails, and the disk has room again. */
    public void heal() {
        failNextForce = false;
        failReads = false;
        capacityBytes = Long.MAX_VALUE;
    }

    /** The bytes all files hold now. */
    public long usedBytes() {
        long used = 0;
        for (Inode inode : distinct(visible)) {
            used += inode.allocated();
        }
        return used;
    }

    /**
     * Flips one bit of forced data, as a latent sector error would: a byte drawn uniformly from the forced bytes of
     * the files {@code where} accepts. Returns false if those files hold no forced data.
     */
    public boolean flipDurableBit(SplittableRandom random, Predicate<Path> where) {
        List<Inode> candidates = new ArrayList<>();
        long total = 0;
        Set<Inode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<Path, Inode> entry : durable.entrySet()) {
            Inode inode = entry.getValue();
            if (where.test(entry.getKey()) && inode.durableSize > 0 && seen.add(inode)) {
                candidates.add(inode);
                total += inode.durableSize;
            }
        }
        if (total == 0) {
            return false;
        }
        long pick = random.nextLong(total);
        for (Inode inode : candidates) {
            if (pick < inode.durableSize) {
                int at = (int) pick;
                inode.durableData[at] ^= (byte) (1 << random.nextInt(8));
                if (at < inode.size) {
                    inode.data[at] = inode.durableData[at]; // the program reads the damaged sector too
                }
                return true;
            }
            pick -= inode.durableSize;
        }
        throw new IllegalStateException("unreachable: the pick is below the total");
    }

    /**
     * The machine loses power: every open file handle dies, locks are released, and the disk comes back with its
     * durable data plus whatever of the unforced data the crash happened to keep (see the class comment).
     *
     * @param tear whether a kept sector may be torn (only a prefix of it written)
     * @param misdirect whether one kept unforced sector lands at a wrong offset of its file instead of its own
     */
    public CrashDamage crash(SplittableRandom random, boolean tear, boolean misdirect) {
        life++;
        locks.clear();
        failNextForce = false; // the failing force belonged to the life that just ended
        failReads = false; // so did the failing reads: recovery reads the disk again
        for (List<Runnable> changes : unforcedDirectoryChanges.values()) {
            int kept = random.nextInt(changes.size() + 1);
            changes.subList(0, kept).forEach(Runnable::run);
        }
        unforcedDirectoryChanges.clear();
        int[] damage = new int[3];
        Map<Path, Inode> survivors = new TreeMap<>();
        Map<Inode, Inode> rebuilt = new IdentityHashMap<>();
        for (Map.Entry<Path, Inode> entry : durable.entrySet()) {
            Inode after = rebuilt.get(entry.getValue());
            if (after == null) {
                after = afterCrash(entry.getValue(), random, tear, misdirect && damage[2] == 0, damage);
                rebuilt.put(entry.getValue(), after);
            }
            survivors.put(entry.getKey(), after);
        }
        durable = survivors;
        visible = new TreeMap<>(survivors);
        return new CrashDamage(damage[0], damage[1], damage[2]);
    }

    /** What a crash leaves of {@code before}; adds sectors lost, torn and misdirected to {@code damage}. */
    private static Inode afterCrash(
            Inode before, SplittableRandom random, boolean tear, boolean misdirect, int[] damage) {
        byte[] bytes = Arrays.copyOf(before.durableData, Math.max(before.durableData.length, before.dirtyTo));
        int size = before.durableSize;
        List<int[]> kept = new ArrayList<>(); // {from, length}
        if (before.dirtyFrom < before.dirtyTo) {
            int mode = random.nextInt(4); // all lost, all kept, or each sector on its own
            for (int sector = before.dirtyFrom / SECTOR * SECTOR; sector < before.dirtyTo; sector += SECTOR) {
                int from = Math.max(sector, before.dirtyFrom);
                int length = Math.min(sector + SECTOR, before.dirtyTo) - from;
                int keep = mode == 0 ? 0 : mode == 1 || random.nextInt(3) > 0 ? length : 0;
                if (tear && mode >= 2 && keep > 0 && random.nextInt(8) == 0) {
                    keep = random.nextInt(length); // torn: only a prefix reached the platter
                    damage[1]++;
                }
                if (keep == 0) {
                    damage[0]++;
                } else {
                    kept.add(new int[] {from, keep});
                }
            }
        }
        int misdirected = misdirect && !kept.isEmpty() ? random.nextInt(kept.size()) : -1;
        for (int i = 0; i < kept.size(); i++) {
            int from = kept.get(i)[0];
            int length = kept.get(i)[1];
            int target = from;
            if (i == misdirected) {
                target = random.nextInt(Math.max(1, before.dirtyTo - length)) / SECTOR * SECTOR;
                damage[2]++;
            }
            System.arraycopy(before.data, from, bytes, target, length);
            size = Math.max(size, target + length);
        }
        Inode after = new Inode();
        after.data = bytes;
        after.size = size;
        after.durableData = bytes.clone();
        after.durableSize = size;
        return after;
    }

    private static List<Inode> distinct(Map<Path, Inode> files) {
        List<Inode> inodes = new ArrayList<>();
        Set<Inode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Inode inode : files.values()) {
            if (seen.add(inode)) {
                inodes.add(inode);
            }
        }
        return inodes;
    }

    private static byte[] grow(byte[] bytes, int length) {
        if (bytes.length >= length) {
            return bytes;
        }
        return Arrays.copyOf(bytes, Math.max(length, bytes.length * 2));
    }

    // ---------------------------------------------------------------- FileLayer

    @Override
    public StorageFile open(Path path) throws IOException {
        Inode inode = visible.get(path);
        if (inode == null) {
            requireDirectory(path.getParent());
            Inode created = new Inode();
            visible.put(path, created);
            changed(path.getParent(), () -> durable.put(path, created));
            inode = created;
        }
        return new SimFile(inode, life, false);
    }

    @Override
    public StorageFile openReadOnly(Path path) throws IOException {
        Inode inode = visible.get(path);
        if (inode == null) {
            throw new NoSuchFileException(path.toString());
        }
        return new SimFile(inode, life, true);
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
        requireDirectory(directory);
        List<Path> files = new ArrayList<>();
        for (Path path : visible.keySet()) {
            if (directory.equals(path.getParent())) {
                files.add(path);
            }
        }
        return files; // a TreeMap's keys: sorted by name within a directory
    }

    @Override
    public boolean exists(Path path) {
        return visible.containsKey(path) || directories.contains(path);
    }

    @Override
    public void delete(Path path) {
        if (visible.remove(path) != null) {
            changed(path.getParent(), () -> durable.remove(path));
        }
    }

    @Override
    public void moveAtomically(Path from, Path to) throws IOException {
        Inode inode = visible.remove(from);
        if (inode == null) {
            throw new NoSuchFileException(from.toString());
        }
        visible.put(to, inode);
        changed(from.getParent(), () -> {
            Inode moved = durable.remove(from);
            if (moved != null) {
                durable.put(to, moved);
            }
        });
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        checkForce();
        List<Runnable> changes = unforcedDirectoryChanges.remove(directory);
        if (changes != null) {
            changes.forEach(Runnable::run);
        }
    }

    @Override
    public void createDirectories(Path directory) {
        for (Path at = directory; at != null; at = at.getParent()) {
            directories.add(at);
        }
    }

    @Override
    public Lock tryLock(Path path) throws IOException {
        requireDirectory(path.getParent());
        if (!locks.add(path)) {
            return null;
        }
        int lockedIn = life;
        return () -> {
            if (life == lockedIn) {
                locks.remove(path);
            }
        };
    }

    private void requireDirectory(Path directory) throws IOException {
        if (directory == null || !directories.contains(directory)) {
            throw new NoSuchFileException(String.valueOf(directory));
        }
    }

    private void changed(Path directory, Runnable change) {
        unforcedDirectoryChanges
                .computeIfAbsent(directory, d -> new ArrayList<>())
                .add(change);
    }

    private void checkForce() throws IOException {
        if (failNextForce) {
            failNextForce = false;
            throw new IOException("Input/output error (simulated failed force)");
        }
    }

    /** An open file; dead once its machine crashed. */
    private final class SimFile implements StorageFile {
        private final Inode inode;
        private final int openedIn;
        private final boolean readOnly;

        SimFile(Inode inode, int openedIn, boolean readOnly) {
            this.inode = inode;
            this.openedIn = openedIn;
            this.readOnly = readOnly;
        }

        private void checkAlive() throws IOException {
            if (life != openedIn) {
                throw new IOException("the machine crashed; this handle is from an earlier life");
            }
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            checkAlive();
            if (readOnly) {
                throw new IOException("file opened read-only");
            }
            int length = source.remaining();
            int end = Math.toIntExact(position + length);
            long growth = Math.max(0, end - inode.allocated());
            if (growth > 0 && capacityBytes != Long.MAX_VALUE && usedBytes() + growth > capacityBytes) {
                throw new IOException("No space left on device (simulated)");
            }
            inode.data = grow(inode.data, end);
            source.get(inode.data, (int) position, length);
            inode.size = Math.max(inode.size, end);
            inode.dirtyFrom = Math.min(inode.dirtyFrom, (int) position);
            inode.dirtyTo = Math.max(inode.dirtyTo, end);
            return length;
        }

        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            checkAlive();
            if (failReads) {
                refusedReads++;
                throw new IOException("Input/output error (simulated unreadable sector)");
            }
            if (position >= inode.size) {
                return -1;
            }
            int length = (int) Math.min(target.remaining(), inode.size - position);
            target.put(inode.data, (int) position, length);
            return length;
        }

        @Override
        public void force() throws IOException {
            checkAlive();
            checkForce();
            inode.force();
        }

        @Override
        public long size() throws IOException {
            checkAlive();
            return inode.size;
        }

        @Override
        public void truncate(long size) throws IOException {
            checkAlive();
            if (size < inode.size) {
                Arrays.fill(inode.data, (int) size, inode.size, (byte) 0);
                inode.dirtyFrom = Math.min(inode.dirtyFrom, (int) size);
                inode.dirtyTo = Math.max(inode.dirtyTo, inode.size);
                inode.size = (int) size;
            }
        }

        @Override
        public void close() {
            // Nothing to release: the data lives in the layer.
        }
    }
}
