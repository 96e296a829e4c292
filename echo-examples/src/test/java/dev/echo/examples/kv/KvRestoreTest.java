package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.node.EchoNode;
import dev.echo.core.storage.SnapshotContent;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.examples.config.ConfigMap;
import dev.echo.examples.snapshot.StoredSnapshots;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.journal.SnapshotFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * echo-kv's {@code --restore FILE} (docs/operations.md, "Losing machines, and disaster recovery"): a new member's data
 * directory is seeded with an old member's snapshot file under the new {@code --members}, and the member starts from
 * exactly that state.
 */
class KvRestoreTest {
    private static final int KEYS = 100;

    @TempDir
    Path data;

    @Test
    void aNewMemberStartsFromTheSnapshotFileUnderItsNewMembership() throws Exception {
        Path file = oldMembersSnapshot(new KvStore(), i -> KvOp.of(KvOp.Op.SET, bytes("key" + i), bytes("value" + i))
                .encode());
        // The old member's snapshot directory: the newest file in it.
        KvOptions options = restoring(file.getParent(), "r1=127.0.0.1:7101,r2=127.0.0.1:7102", "--weights", "r1=2");
        KvStore expected = new KvStore();
        try (InputStream content = SnapshotFile.read(file).open()) {
            SnapshotContent.restore(content, expected);
        }
        try (EchoNode node = EchoNode.builder(options.id())
                .transport(new InMemoryNetwork().transport(options.id()))
                .journal(EchoKv.openJournal(options, MetricsSink.NONE)) // seeded, then opened for the member
                .build()
                .start()) {
            ReplicatedGroup group = node.join(
                    "kv",
                    EchoKv.groupOptions(options, options.members()).build(),
                    new KvStore(),
                    new GroupListener() {});
            group.whenQuorum().get(30, TimeUnit.SECONDS); // r1 has 2 of the 3 votes
            View view = group.view();
            assertEquals(
                    List.of("r1", "r2"),
                    view.voters().stream().map(voter -> voter.id().value()).toList());
            assertEquals(2, view.voters().get(0).weight());
            int present = 0;
            for (int i = 0; i < KEYS; i++) {
                byte[] get = get("key" + i);
                byte[] value = group.read(get).get(30, TimeUnit.SECONDS);
                assertArrayEquals(expected.query(get), value, "key" + i);
                present += new String(value, StandardCharsets.UTF_8).contains("value" + i) ? 1 : 0;
            }
            assertTrue(present >= 40, "the file covers at least the first snapshot interval: " + present);
        }
        // Started again with --restore: refused, and the member's state is left as it is.
        IllegalStateException again =
                assertThrows(IllegalStateException.class, () -> EchoKv.openJournal(options, MetricsSink.NONE));
        assertTrue(again.getMessage().contains("already holds group kv"), again.getMessage());
    }

    @Test
    void aSnapshotOfAnotherStateMachineIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path file = oldMembersSnapshot(new ConfigMap(), i -> ConfigMap.put("key" + i, "value" + i));
        KvOptions options = restoring(file, "r1=127.0.0.1:7101");
        IOException refused = assertThrows(IOException.class, () -> EchoKv.openJournal(options, MetricsSink.NONE));
        assertTrue(refused.getMessage().contains("does not hold an echo-kv state"), refused.getMessage());
        try (FileJournal journal =
                FileJournal.open(JournalOptions.builder(options.dataDirectory(), options.clusterId(), "r1")
                        .build())) {
            assertTrue(journal.groupNames().isEmpty(), "nothing recorded: " + journal.groupNames());
        }
    }

    @Test
    void restoreGoesWithMembersOnly() {
        IllegalArgumentException joining = assertThrows(
                IllegalArgumentException.class,
                () -> KvOptions.parse(new String[] {
                    "--id",
                    "n4",
                    "--data",
                    "d",
                    "--join",
                    "127.0.0.1:7001",
                    "--advertise",
                    "127.0.0.1:7004",
                    "--client",
                    "127.0.0.1:7204",
                    "--unauthenticated",
                    "--restore",
                    "old.snap"
                }));
        assertTrue(joining.getMessage().contains("--restore"), joining.getMessage());
    }

    /**
     * A one-member group "kv" of {@code stateMachine} that snapshots every 40 entries writes {@code command(i)} for
     * each key, and stops: its newest snapshot file.
     */
    private Path oldMembersSnapshot(StateMachine stateMachine, IntFunction<byte[]> command) throws Exception {
        MemberId old = MemberId.of("n1");
        Path store = data.resolve("n1").resolve("snapshots").resolve("kv");
        try (EchoNode node = EchoNode.builder(old)
                .transport(new InMemoryNetwork().transport(old))
                .journal(FileJournal.open(JournalOptions.builder(data.resolve("n1"), "echo-kv", "n1")
                        .build()))
                .build()
                .start()) {
            ReplicatedGroup group = node.join(
                    "kv",
                    GroupOptions.builder()
                            .voter(old)
                            .tuning(Tuning.defaults().withSnapshots(40, 4096, Duration.ofMillis(200)))
                            .build(),
                    stateMachine,
                    new GroupListener() {});
            group.whenQuorum().get(30, TimeUnit.SECONDS);
            List<CompletableFuture<byte[]>> writes = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                writes.add(group.submit(command.apply(i)));
            }
            for (CompletableFuture<byte[]> write : writes) {
                write.get(30, TimeUnit.SECONDS);
            }
            StoredSnapshots.awaitNewest(store); // stored while the member runs
        }
        return StoredSnapshots.newest(store);
    }

    /** echo-kv's options for member r1 of a new cluster of {@code members}, restored from {@code from}. */
    private KvOptions restoring(Path from, String members, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--id",
                "r1",
                "--data",
                data.resolve("r1").toString(),
                "--members",
                members,
                "--client",
                "127.0.0.1:7201",
                "--unauthenticated",
                "--restore",
                from.toString()));
        args.addAll(List.of(more));
        return KvOptions.parse(args.toArray(String[]::new));
    }

    private static byte[] get(String key) {
        return KvOp.of(KvOp.Op.GET, bytes(key)).encode();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
