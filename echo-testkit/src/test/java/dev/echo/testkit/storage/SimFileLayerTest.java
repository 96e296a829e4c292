package dev.echo.testkit.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.journal.FileLayer;
import dev.echo.journal.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The simulated disk keeps exactly what a POSIX disk promises to keep across a crash, and no more. */
class SimFileLayerTest {
    private static final Path DIR = Path.of("/machine", "journal");
    private static final Path FILE = DIR.resolve("segment");

    private static SimFileLayer diskWithDirectory() {
        SimFileLayer disk = new SimFileLayer();
        disk.createDirectories(DIR);
        return disk;
    }

    private static byte[] bytes(int length, int seed) {
        byte[] data = new byte[length];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    private static byte[] read(SimFileLayer disk, Path path) throws IOException {
        try (StorageFile file = disk.openReadOnly(path)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) file.size());
            file.readFully(buffer, 0);
            return buffer.array();
        }
    }

    @Test
    void forcedDataInADurableFileSurvivesEveryCrash() throws IOException {
        byte[] forced = bytes(3000, 1);
        for (int seed = 0; seed < 50; seed++) {
            SimFileLayer disk = diskWithDirectory();
            StorageFile file = disk.open(FILE);
            file.writeFully(ByteBuffer.wrap(forced), 0);
            file.force();
            disk.forceDirectory(DIR);
            file.writeFully(ByteBuffer.wrap(bytes(2000, 2)), forced.length); // unforced tail

            disk.crash(new SplittableRandom(seed), true, false);

            byte[] after = read(disk, FILE);
            assertTrue(after.length >= forced.length);
            for (int i = 0; i < forced.length; i++) {
                assertEquals(forced[i], after[i], "forced byte " + i + " after crash " + seed);
            }
        }
    }

    @Test
    void unforcedDataIsSometimesLostAndSometimesTorn() throws IOException {
        Set<Integer> sizes = new HashSet<>();
        boolean tore = false;
        for (int seed = 0; seed < 200; seed++) {
            SimFileLayer disk = diskWithDirectory();
            StorageFile file = disk.open(FILE);
            file.force();
            disk.forceDirectory(DIR);
            file.writeFully(ByteBuffer.wrap(bytes(4 * SimFileLayer.SECTOR, 3)), 0);

            SimFileLayer.CrashDamage damage = disk.crash(new SplittableRandom(seed), true, false);

            sizes.add(read(disk, FILE).length);
            tore |= damage.tore();
        }
        assertTrue(sizes.contains(0), "some crash loses every unforced sector");
        assertTrue(sizes.contains(4 * SimFileLayer.SECTOR), "some crash keeps them all");
        assertTrue(tore, "some crash tears a sector");
    }

    @Test
    void aFileWhoseNameWasNeverForcedCanVanishEvenIfItsDataWasForced() throws IOException {
        boolean vanished = false;
        boolean kept = false;
        for (int seed = 0; seed < 50; seed++) {
            SimFileLayer disk = diskWithDirectory();
            StorageFile file = disk.open(FILE);
            file.writeFully(ByteBuffer.wrap(bytes(100, 4)), 0);
            file.force(); // the data, not the directory entry

            disk.crash(new SplittableRandom(seed), false, false);

            boolean exists = disk.exists(FILE);
            vanished |= !exists;
            kept |= exists;
        }
        assertTrue(vanished && kept, "an unforced creation survives a crash or not, at random");
    }

    @Test
    void directoryChangesSurviveInOrderAsAPrefix() throws IOException {
        Path renamed = DIR.resolve("renamed");
        for (int seed = 0; seed < 50; seed++) {
            SimFileLayer disk = diskWithDirectory();
            disk.open(FILE).force();
            disk.moveAtomically(FILE, renamed); // unforced: either both changes survive, the first, or none

            disk.crash(new SplittableRandom(seed), false, false);

            assertFalse(disk.exists(renamed) && disk.exists(FILE), "a rename is atomic");
        }
    }

    @Test
    void handlesFromBeforeACrashAreDeadAndLocksAreReleased() throws IOException {
        SimFileLayer disk = diskWithDirectory();
        StorageFile file = disk.open(FILE);
        FileLayer.Lock lock = disk.tryLock(DIR.resolve("lock"));
        assertNotNull(lock);
        assertNull(disk.tryLock(DIR.resolve("lock")), "held");

        disk.crash(new SplittableRandom(1), false, false);

        assertThrows(IOException.class, () -> file.write(ByteBuffer.wrap(new byte[1]), 0));
        assertNotNull(disk.tryLock(DIR.resolve("lock")), "a crash releases the lock");
    }

    @Test
    void faultsFailAForceAndFillTheDisk() throws IOException {
        SimFileLayer disk = diskWithDirectory();
        StorageFile file = disk.open(FILE);
        disk.failNextForce();
        assertThrows(IOException.class, file::force);
        file.force(); // only the next one fails

        disk.capacityBytes(disk.usedBytes() + 100);
        assertThrows(IOException.class, () -> file.writeFully(ByteBuffer.wrap(new byte[200]), 0));
        disk.heal();
        file.writeFully(ByteBuffer.wrap(new byte[200]), 0);
        assertArrayEquals(new byte[200], read(disk, FILE));
    }
}
