package dev.echo.examples.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.Tuning;
import dev.echo.core.node.EchoNode;
import dev.echo.core.node.GroupRestore;
import dev.echo.core.storage.SnapshotContent;
import dev.echo.core.storage.StorageException;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.examples.config.ConfigMap;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.journal.SnapshotFile;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new group started from a snapshot file of an old one ({@link GroupRestore}, docs/operations.md "Disaster
 * recovery"): the restored member starts from exactly the file's state, a machine added later receives it by
 * snapshot transfer, and a restore never overwrites a journal's state.
 */
class GroupRestoreTest {
    private static final List<MemberId> OLD = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    private static final MemberId RESTORED = MemberId.of("r1");
    private static final MemberId ADDED = MemberId.of("r2");
    private static final int KEYS = 120;
    /** Snapshot every 40 entries, so the old group leaves snapshot files and the new group's log starts late. */
    private static final Tuning SNAPSHOTS = Tuning.defaults().withSnapshots(40, 4096, Duration.ofMillis(200));

    @TempDir
    Path data;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<MemberId, EchoNode> nodes = new TreeMap<>();
    private SnapshotFile saved;

    @AfterEach
    void closeAll() {
        nodes.values().forEach(EchoNode::close);
    }

    /** The old group writes, snapshots, and is lost: what is left is n1's newest snapshot file. */
    @BeforeEach
    void anOldGroupLeavesASnapshotFile() throws Exception {
        List<ReplicatedGroup> old = new ArrayList<>();
        for (MemberId member : OLD) {
            GroupOptions.Builder options = GroupOptions.builder().tuning(SNAPSHOTS);
            OLD.forEach(options::voter);
            old.add(start(member, options.build()));
        }
        old.get(0).whenQuorum().get(30, TimeUnit.SECONDS);
        List<CompletableFuture<byte[]>> writes = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            writes.add(old.get(0).submit(ConfigMap.put("k" + i, "v" + i)));
        }
        for (CompletableFuture<byte[]> write : writes) {
            write.get(30, TimeUnit.SECONDS);
        }
        Path store = data.resolve("n1").resolve("snapshots").resolve("config");
        StoredSnapshots.awaitNewest(store); // stored while the members run
        OLD.forEach(member -> nodes.remove(member).close());
        saved = SnapshotFile.read(StoredSnapshots.newest(store)); // the newest once all stopped
    }

    @Test
    void aNewGroupStartsFromTheFilesStateAndAnAddedMachineReceivesIt() throws Exception {
        ConfigMap expected = new ConfigMap();
        try (InputStream content = saved.open()) {
            SnapshotContent.restore(content, expected);
        }
        assertEquals("v0", text(expected.query(ConfigMap.get("k0"))), "the file holds the first writes");

        GroupOptions options =
                GroupOptions.builder().voter(RESTORED).tuning(SNAPSHOTS).build();
        seed(RESTORED, options, saved);
        ReplicatedGroup restored = start(RESTORED, options);
        restored.whenQuorum().get(30, TimeUnit.SECONDS);
        for (int i = 0; i < KEYS; i++) {
            byte[] query = ConfigMap.get("k" + i);
            assertArrayEquals(expected.query(query), restored.read(query).get(30, TimeUnit.SECONDS), "k" + i);
        }
        assertEquals(
                List.of(RESTORED),
                restored.view().voters().stream().map(voter -> voter.id()).toList());
        restored.submit(ConfigMap.put("after", "restore")).get(30, TimeUnit.SECONDS);

        // A machine added later never saw the old group: its log could only start at index 1, before the new
        // group's first entry, so it can reach the state only by the snapshot transfer.
        ReplicatedGroup added = start(
                ADDED,
                GroupOptions.builder()
                        .voter(RESTORED)
                        .tuning(SNAPSHOTS)
                        .newMember()
                        .build());
        restored.addLearner(ADDED).get(30, TimeUnit.SECONDS);
        added.whenQuorum().get(30, TimeUnit.SECONDS); // it has heard the leader since it was added
        assertEquals("restore", text(added.read(ConfigMap.get("after")).get(30, TimeUnit.SECONDS)));
        assertEquals("v0", text(added.readStale(ConfigMap.get("k0")).get(10, TimeUnit.SECONDS)));
        assertArrayEquals(
                expected.query(ConfigMap.get("k" + (KEYS - 1))),
                added.readStale(ConfigMap.get("k" + (KEYS - 1))).get(10, TimeUnit.SECONDS));
    }

    @Test
    void threeVotersSeededFromTheSameFileFormOneGroup() throws Exception {
        List<MemberId> voters = List.of(RESTORED, ADDED, MemberId.of("r3"));
        GroupOptions.Builder builder = GroupOptions.builder().tuning(SNAPSHOTS);
        voters.forEach(builder::voter);
        GroupOptions options = builder.build();
        List<ReplicatedGroup> restored = new ArrayList<>();
        for (MemberId voter : voters) {
            seed(voter, options, saved);
            restored.add(start(voter, options));
        }
        for (ReplicatedGroup member : restored) {
            member.whenQuorum().get(30, TimeUnit.SECONDS);
        }
        restored.get(2).submit(ConfigMap.put("after", "restore")).get(30, TimeUnit.SECONDS);
        for (ReplicatedGroup member : restored) {
            assertEquals("restore", text(member.read(ConfigMap.get("after")).get(30, TimeUnit.SECONDS)));
            assertEquals("v0", text(member.readStale(ConfigMap.get("k0")).get(10, TimeUnit.SECONDS)));
        }
    }

    @Test
    void aRestoreNeverOverwritesAJournalThatHoldsTheGroup() throws Exception {
        GroupOptions oldOptions = GroupOptions.builder().voter(OLD.get(0)).build();
        IllegalStateException intoTheOldMember =
                assertThrows(IllegalStateException.class, () -> seed(OLD.get(0), oldOptions, saved));
        assertTrue(intoTheOldMember.getMessage().contains("already holds group config"), intoTheOldMember.getMessage());

        GroupOptions options = GroupOptions.builder().voter(RESTORED).build();
        seed(RESTORED, options, saved);
        assertThrows(IllegalStateException.class, () -> seed(RESTORED, options, saved), "a second restore");
    }

    @Test
    void aDamagedFileFailsTypedAndLeavesTheJournalReadyForAnotherTry() throws Exception {
        Path damaged = data.resolve("damaged.snap");
        Files.copy(saved.path(), damaged);
        try (FileChannel channel = FileChannel.open(damaged, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long inTheData = channel.size() - 40; // before the 12-byte trailer, after the header
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, inTheData);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).flip();
            channel.write(one, inTheData);
        }
        GroupOptions options = GroupOptions.builder().voter(RESTORED).build();
        EchoException failed =
                assertThrows(EchoException.class, () -> seed(RESTORED, options, SnapshotFile.read(damaged)));
        assertEquals(EchoException.Reason.STORAGE_FAILED, failed.reason());

        seed(RESTORED, options, saved); // nothing was recorded: the same journal takes the good file
        ReplicatedGroup restored = start(RESTORED, options);
        restored.whenQuorum().get(30, TimeUnit.SECONDS);
        assertEquals("v0", text(restored.read(ConfigMap.get("k0")).get(30, TimeUnit.SECONDS)));
    }

    @Test
    void wrongInputsAreRefusedBeforeAnythingIsWritten() throws Exception {
        StorageException missing =
                assertThrows(StorageException.class, () -> SnapshotFile.read(data.resolve("no-such.snap")));
        assertEquals(StorageException.Reason.MISSING_SNAPSHOT, missing.reason());
        Path notASnapshot = Files.writeString(data.resolve("notes.snap"), "not a snapshot, but long enough to look");
        StorageException foreign = assertThrows(StorageException.class, () -> SnapshotFile.read(notASnapshot));
        assertEquals(StorageException.Reason.CORRUPT_SNAPSHOT, foreign.reason());

        GroupOptions elsewhere = GroupOptions.builder().voter(OLD.get(0)).build();
        assertThrows(IllegalArgumentException.class, () -> seed(RESTORED, elsewhere, saved), "not a voter");
        GroupOptions joining =
                GroupOptions.builder().voter(OLD.get(0)).learner(RESTORED).build();
        assertThrows(IllegalArgumentException.class, () -> seed(RESTORED, joining, saved), "a learner");
        try (FileJournal journal = journal(RESTORED);
                InputStream content = saved.open()) {
            GroupOptions options = GroupOptions.builder().voter(RESTORED).build();
            assertThrows(
                    IllegalArgumentException.class,
                    () -> GroupRestore.seed(journal, "config", RESTORED, options, 0, 0, content),
                    "index 0");
            assertTrue(journal.groupNames().isEmpty(), "nothing recorded: " + journal.groupNames());
        }
    }

    private void seed(MemberId member, GroupOptions options, SnapshotFile file) throws Exception {
        try (FileJournal journal = journal(member);
                InputStream content = file.open()) {
            GroupRestore.seed(journal, "config", member, options, file.index(), file.term(), content);
        }
    }

    private FileJournal journal(MemberId member) throws StorageException {
        return FileJournal.open(JournalOptions.builder(data.resolve(member.value()), "restore-test", member.value())
                .build());
    }

    private ReplicatedGroup start(MemberId self, GroupOptions options) throws Exception {
        EchoNode node = EchoNode.builder(self)
                .transport(network.transport(self))
                .journal(journal(self))
                .build()
                .start();
        nodes.put(self, node);
        return node.join("config", options, new ConfigMap(), new GroupListener() {});
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
