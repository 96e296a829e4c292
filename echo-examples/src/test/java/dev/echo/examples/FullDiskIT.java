package dev.echo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.examples.config.ConfigMap;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A full disk is an operating condition, not a crash (issue 22; docs/architecture.md, "A full disk pauses, it does not
 * stop"), on a real file system that runs out of space: a member's journal on a tmpfs of a few MiB, the rest of it
 * filled by another file. Writes are refused with the typed {@code STORAGE_FULL} and the listener hears it; once the
 * file is deleted, writes resume without a restart; and every acknowledged write is there, before and after a restart.
 *
 * <p>Mounting needs root (as CI runs); elsewhere the test is skipped with the reason.
 */
class FullDiskIT {
    private static final MemberId SELF = MemberId.of("n1");
    private static final String DISK_SIZE = "4m";
    private static final int SEGMENT_BYTES = 256 * 1024;
    /** A value large enough that a few hundred writes need a new segment. */
    private static final String VALUE = "v".repeat(1024);
    /** A write that has neither an outcome nor a refusal by then was held back by the full disk, as it should be. */
    private static final Duration HELD_BACK = Duration.ofMillis(500);

    private Path disk;
    private EchoNode node;
    private ReplicatedGroup group;
    private final CompletableFuture<GroupStatus> heardFull = new CompletableFuture<>();
    private final CompletableFuture<GroupStatus> heardAvailable = new CompletableFuture<>();

    @BeforeEach
    void mountASmallDisk() throws Exception {
        disk = Files.createTempDirectory("echo-full-disk");
        String output;
        int exit;
        try {
            Process mount = new ProcessBuilder(
                            "mount", "-t", "tmpfs", "-o", "size=" + DISK_SIZE, "tmpfs", disk.toString())
                    .redirectErrorStream(true)
                    .start();
            output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            exit = mount.waitFor();
        } catch (IOException noMount) {
            output = noMount.getMessage();
            exit = -1;
        }
        if (exit != 0) {
            Files.deleteIfExists(disk);
            disk = null;
        }
        assumeTrue(exit == 0, "skipped: cannot mount a " + DISK_SIZE + " tmpfs here (needs root): " + output);
    }

    @AfterEach
    void unmount() throws Exception {
        if (node != null) {
            node.close();
        }
        if (disk != null) {
            new ProcessBuilder("umount", "-l", disk.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
            Files.deleteIfExists(disk);
        }
    }

    @Test
    void writesPauseWithATypedErrorOnAFullDiskAndResumeWhenSpaceReturnsWithNothingLost() throws Exception {
        start();
        Path filler = disk.resolve("filler");
        fillTheDisk(filler);

        List<String> acknowledged = new ArrayList<>();
        List<String> heldBack = new ArrayList<>();
        List<CompletableFuture<byte[]>> heldBackOutcomes = new ArrayList<>();
        EchoException refusal = null;
        for (int i = 0; refusal == null; i++) {
            if (i == 10_000) {
                fail("no write was refused for a full disk after " + i + " writes of " + VALUE.length() + " bytes");
            }
            String key = "k" + i;
            CompletableFuture<byte[]> outcome = group.submit(ConfigMap.put(key, VALUE));
            try {
                outcome.get(HELD_BACK.toMillis(), TimeUnit.MILLISECONDS);
                acknowledged.add(key);
            } catch (TimeoutException waiting) {
                heldBack.add(key); // queued behind the journal's full disk: it completes once space returns
                heldBackOutcomes.add(outcome);
            } catch (ExecutionException failed) {
                refusal = (EchoException) failed.getCause();
            }
        }
        assertEquals(
                EchoException.Reason.STORAGE_FULL, refusal.reason(), "typed, and certainly not applied: " + refusal);
        assertEquals(
                GroupStatus.Role.LEADER, heardFull.get(30, TimeUnit.SECONDS).role(), "the listener heard it");
        assertTrue(acknowledged.size() > 100, "the disk filled only after the segments it had: " + acknowledged.size());

        Files.delete(filler);
        heardAvailable.get(30, TimeUnit.SECONDS); // the journal retries on its own: no restart
        for (CompletableFuture<byte[]> outcome : heldBackOutcomes) {
            outcome.get(30, TimeUnit.SECONDS);
        }
        acknowledged.addAll(heldBack);
        for (int i = 0; i < 50; i++) {
            String key = "after" + i;
            group.submit(ConfigMap.put(key, VALUE)).get(30, TimeUnit.SECONDS);
            acknowledged.add(key);
        }
        assertEverythingAcknowledgedIsThere(acknowledged);

        node.close();
        node = null;
        start(); // recovered from the journal that ran out of space
        assertEverythingAcknowledgedIsThere(acknowledged);
    }

    private void start() throws Exception {
        FileJournal journal = FileJournal.open(JournalOptions.builder(disk.resolve("journal"), "full-disk", "n1")
                .segmentBytes(SEGMENT_BYTES)
                .maxRecordBytes(SEGMENT_BYTES / 2)
                .build());
        node = EchoNode.builder(SELF)
                .transport(new InMemoryNetwork().transport(SELF))
                .journal(journal)
                .build()
                .start();
        GroupOptions options = GroupOptions.builder()
                .voter(SELF)
                .requestTimeout(Duration.ofMinutes(2))
                .build();
        group = node.join("config", options, new ConfigMap(), new GroupListener() {
            @Override
            public void storageFull(GroupStatus status) {
                heardFull.complete(status);
            }

            @Override
            public void storageAvailable(GroupStatus status) {
                heardAvailable.complete(status);
            }
        });
        group.whenQuorum().get(30, TimeUnit.SECONDS);
    }

    /** Writes {@code filler} until the file system refuses more. */
    private static void fillTheDisk(Path filler) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            assertTrue(
                    String.valueOf(full.getMessage()).contains("No space left on device"),
                    "the file system ran out of space: " + full);
        }
    }

    private void assertEverythingAcknowledgedIsThere(List<String> keys) throws Exception {
        for (String key : keys) {
            byte[] value = group.read(ConfigMap.get(key)).get(30, TimeUnit.SECONDS);
            assertEquals(VALUE, new String(value, StandardCharsets.UTF_8), key + " was acknowledged");
        }
    }
}
