package dev.echo.examples.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.examples.config.ConfigMap;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.metrics.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots through the real runtime and file journal (PROTOCOL.md §8): members compact their logs, a member that was
 * down while the others compacted catches up by a chunked snapshot transfer, and a member restarts from its own
 * snapshot. The protocol's corner cases are the simulator's job; this checks the runtime's plumbing end to end.
 */
class SnapshotTransferTest {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    /** Snapshot every 40 entries, in 512-byte chunks, so a transfer takes many chunks. */
    private static final Tuning SNAPSHOTS = Tuning.defaults().withSnapshots(40, 512, Duration.ofMillis(200));

    /** The default policy: no snapshot in these short runs. */
    private static final Tuning NO_SNAPSHOTS = Tuning.defaults();

    @TempDir
    Path data;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<MemberId, EchoNode> nodes = new TreeMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new TreeMap<>();
    /** Each member's metrics, kept across its restarts. */
    private final Map<MemberId, SimpleMeterRegistry> registries = new TreeMap<>();

    @AfterEach
    void closeAll() {
        nodes.values().forEach(EchoNode::close);
    }

    @Test
    void aMemberBehindTheSnapshotCatchesUpByTransferAndRestartsFromItsOwnSnapshot() throws Exception {
        for (MemberId member : MEMBERS) {
            start(member);
        }
        for (ReplicatedGroup group : groups.values()) {
            group.whenQuorum().get(30, TimeUnit.SECONDS);
        }
        ReplicatedGroup n1 = groups.get(MEMBERS.get(0));
        write(n1, 0, 10);
        stop(MEMBERS.get(2)); // n3 misses everything from here on
        // A configuration change n3 learns only inside a snapshot: its view's epoch must still be the change's index.
        View reranked = n1.makeTop(MEMBERS.get(1)).get(30, TimeUnit.SECONDS);
        assertTrue(reranked.epoch() > 0, "a committed change has an epoch: " + reranked);

        write(n1, 10, 400); // n1 and n2 snapshot and compact ten times over
        awaitSnapshotFile(MEMBERS.get(0)); // written in the background; the log is compacted right after

        ReplicatedGroup n3 = start(MEMBERS.get(2)); // its log ends long before the leader's snapshot
        n3.whenQuorum().get(30, TimeUnit.SECONDS);
        // A linearizable read at n3 waits until n3 has applied everything: only a snapshot transfer gets it there.
        assertEquals("v399", text(n3.read(ConfigMap.get("k399")).get(60, TimeUnit.SECONDS)));
        for (int i = 0; i < 400; i += 37) {
            assertEquals("v" + i, text(n3.readStale(ConfigMap.get("k" + i)).get(10, TimeUnit.SECONDS)));
        }
        assertSnapshotMetrics(MEMBERS.get(0), MEMBERS.get(2));
        assertEquals(reranked, n3.view(), "the view restored from the snapshot, epoch included");
        write(n1, 400, 480); // and it keeps up afterwards, through a snapshot of its own
        assertEquals("v479", text(n3.read(ConfigMap.get("k479")).get(30, TimeUnit.SECONDS)));
        awaitSnapshotFile(MEMBERS.get(2));

        stop(MEMBERS.get(2));
        ReplicatedGroup restarted = start(MEMBERS.get(2));
        // Restored from its snapshot before the group even runs: an early key is there at once, without the leader.
        assertEquals("v5", text(restarted.readStale(ConfigMap.get("k5")).get(10, TimeUnit.SECONDS)));
        restarted.whenQuorum().get(30, TimeUnit.SECONDS);
        assertEquals("v479", text(restarted.read(ConfigMap.get("k479")).get(30, TimeUnit.SECONDS)));
        assertEquals(reranked, restarted.view(), "the view after a restart from a compacted log, epoch included");
    }

    @Test
    void aMemberWhoseJournalIsDamagedJoinsStorageFaultedAndIsRepairedFromTheLeadersLog() throws Exception {
        for (MemberId member : MEMBERS) {
            start(member, NO_SNAPSHOTS); // every record stays live, so the flipped byte is in one
        }
        ReplicatedGroup n1 = groups.get(MEMBERS.get(0));
        n1.whenQuorum().get(30, TimeUnit.SECONDS);
        write(n1, 0, 200);
        MemberId n3 = MEMBERS.get(2);
        groups.get(n3).whenQuorum().get(30, TimeUnit.SECONDS);
        assertEquals("v199", text(groups.get(n3).read(ConfigMap.get("k199")).get(30, TimeUnit.SECONDS)));
        stop(n3);
        flipByteInTheMiddleOfTheLog(n3);

        List<GroupStatus.Role> seen = new CopyOnWriteArrayList<>();
        ReplicatedGroup repaired = start(n3, NO_SNAPSHOTS, status -> seen.add(status.role()));
        repaired.whenQuorum().get(60, TimeUnit.SECONDS); // a follower again: repaired
        assertEquals("v199", text(repaired.read(ConfigMap.get("k199")).get(60, TimeUnit.SECONDS)));
        assertEquals(GroupStatus.Role.STORAGE_FAULTED, seen.get(0), "joined faulted: " + seen);
        write(n1, 200, 220);
        assertEquals("v219", text(repaired.read(ConfigMap.get("k219")).get(30, TimeUnit.SECONDS)));

        stop(n3); // the repair is durable: it restarts healthy, from the snapshot it installed
        seen.clear();
        ReplicatedGroup restarted = start(n3, NO_SNAPSHOTS, status -> seen.add(status.role()));
        restarted.whenQuorum().get(30, TimeUnit.SECONDS);
        assertFalse(seen.contains(GroupStatus.Role.STORAGE_FAULTED), "healthy after the repair: " + seen);
        assertEquals("v219", text(restarted.read(ConfigMap.get("k219")).get(30, TimeUnit.SECONDS)));
    }

    /** Flips one byte well inside the written part of the member's first segment: a checksum failure mid-log. */
    private void flipByteInTheMiddleOfTheLog(MemberId member) throws IOException {
        Path segment;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(data.resolve(member.value()), "segment-*.log")) {
            segment = files.iterator().next();
        }
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long offset = 8_000; // 200 entries of about 100 bytes: records follow on both sides
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).flip();
            channel.write(one, offset);
        }
    }

    private ReplicatedGroup start(MemberId self) throws Exception {
        return start(self, SNAPSHOTS);
    }

    private ReplicatedGroup start(MemberId self, Tuning tuning) throws Exception {
        return start(self, tuning, status -> {});
    }

    private ReplicatedGroup start(MemberId self, Tuning tuning, Consumer<GroupStatus> statuses) throws Exception {
        FileJournal journal =
                FileJournal.open(JournalOptions.builder(data.resolve(self.value()), "snapshot-test", self.value())
                        .build());
        EchoNode node = EchoNode.builder(self)
                .metrics(new MicrometerMetrics(registries.computeIfAbsent(self, member -> new SimpleMeterRegistry())))
                .transport(network.transport(self))
                .journal(journal)
                .build()
                .start();
        GroupOptions.Builder options = GroupOptions.builder().tuning(tuning);
        MEMBERS.forEach(options::voter);
        GroupListener listener = new GroupListener() {
            @Override
            public void statusChanged(GroupStatus status) {
                statuses.accept(status);
            }
        };
        ReplicatedGroup group = node.join("config", options.build(), new ConfigMap(), listener);
        nodes.put(self, node);
        groups.put(self, group);
        return group;
    }

    /** Issue 24: snapshots taken, sent and installed, with their sizes and durations, as the metrics report them. */
    private void assertSnapshotMetrics(MemberId taker, MemberId installer) {
        SimpleMeterRegistry atTaker = registries.get(taker);
        long taken = (long) atTaker.get("echo.snapshots.taken").counter().count();
        assertTrue(taken >= 1, "the member took snapshots");
        DistributionSummary takenBytes =
                atTaker.get("echo.snapshot.taken.bytes").summary();
        assertEquals(taken, takenBytes.count(), "one size per snapshot taken");
        assertTrue(takenBytes.max() > 0);
        Timer written = atTaker.get("echo.snapshot.write.duration").timer();
        assertEquals(taken, written.count(), "one duration per snapshot taken");
        assertTrue(written.totalTime(TimeUnit.NANOSECONDS) > 0);

        SimpleMeterRegistry atInstaller = registries.get(installer);
        DistributionSummary installed =
                atInstaller.get("echo.snapshots.installed").summary();
        assertTrue(installed.count() >= 1, "the member behind installed a snapshot");
        Timer restored = atInstaller.get("echo.snapshot.restore.duration").timer();
        assertEquals(installed.count(), restored.count(), "one restore per snapshot installed");
        assertTrue(restored.totalTime(TimeUnit.NANOSECONDS) > 0);
        double sent = registries.values().stream()
                .mapToDouble(registry ->
                        registry.get("echo.snapshot.bytes.sent").counter().count())
                .sum();
        assertTrue(sent >= installed.totalAmount(), "every byte installed was sent by someone");
    }

    private void stop(MemberId self) {
        nodes.remove(self).close();
        groups.remove(self);
    }

    private static void write(ReplicatedGroup group, int from, int to) throws Exception {
        List<CompletableFuture<byte[]>> writes = new ArrayList<>();
        for (int i = from; i < to; i++) {
            writes.add(group.submit(ConfigMap.put("k" + i, "v" + i)));
        }
        for (CompletableFuture<byte[]> write : writes) {
            write.get(30, TimeUnit.SECONDS);
        }
    }

    /** Snapshot files are written on the node's snapshot thread: wait (bounded) until one is there. */
    private void awaitSnapshotFile(MemberId member) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (snapshotFiles(member) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(snapshotFiles(member) > 0, member + " stored a snapshot");
    }

    /**
     * Counts stored snapshots by name only. {@code Files.walk} would stat every entry and fail with
     * NoSuchFileException when the store renames its temporary file between the listing and the stat.
     */
    private long snapshotFiles(MemberId member) throws IOException {
        Path store = data.resolve(member.value()).resolve("snapshots").resolve("config");
        if (!Files.isDirectory(store)) {
            return 0;
        }
        long count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(store, "snapshot-*.snap")) {
            for (Path ignored : files) {
                count++;
            }
        }
        return count;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
