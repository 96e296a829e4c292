package dev.echo.transport.netty.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.Tuning;
import dev.echo.core.node.EchoNode;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.testkit.kv.KvStateMachine;
import dev.echo.testkit.transport.Inbox;
import dev.echo.testkit.transport.TransportConformance;
import dev.echo.transport.netty.TransportFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three {@link EchoNode}s, each with a real transport (TCP, TLS or UDP) on loopback and its own file journal, run a
 * replicated key-value map: a client commits a workload through every member, the leader's node is closed and
 * started again mid-way (transport re-bound on the same port, group recovered from its journal), the workload
 * finishes, and every member answers every key as the client's model of its acknowledged writes says.
 */
class ThreeMembersOverTheWireIT {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    private static final int WRITES_BEFORE_RESTART = 100;
    private static final int WRITES_AFTER_RESTART = 100;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private final Map<MemberId, EchoNode> nodes = new LinkedHashMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();
    private TransportConformance.Fixture fixture;

    @ParameterizedTest
    @EnumSource(TransportFixtures.Kind.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void commitAWorkloadAndSurviveTheLeadersRestart(TransportFixtures.Kind kind) throws Exception {
        fixture = TransportFixtures.create(kind, List.of("n1", "n2", "n3"));
        try {
            for (MemberId member : MEMBERS) {
                start(member);
            }
            AcknowledgedWrites writes = new AcknowledgedWrites(PATIENCE);
            for (int i = 1; i <= WRITES_BEFORE_RESTART; i++) {
                writes.put(groups.get(MEMBERS.get(i % 3)), "k" + (i % 17), "v" + i);
            }
            MemberId leader = Leaders.await(groups, PATIENCE);
            nodes.remove(leader).close();
            start(leader);
            for (int i = 1; i <= WRITES_AFTER_RESTART; i++) {
                writes.put(groups.get(MEMBERS.get(i % 3)), "k" + (i % 23), "w" + i);
            }
            for (MemberId member : MEMBERS) {
                assertTrue(
                        Inbox.await(() -> writes.heldBy(groups.get(member)), PATIENCE),
                        member + " does not hold the client's acknowledged writes");
            }
        } finally {
            nodes.values().forEach(EchoNode::close);
            fixture.close();
        }
    }

    private void start(MemberId member) throws Exception {
        Path data = directory.resolve(member.value());
        Files.createDirectories(data);
        FileJournal journal = FileJournal.open(
                JournalOptions.builder(data, "it", member.value()).build());
        EchoNode node = EchoNode.builder(member)
                .transport(fixture.create(member))
                .journal(journal)
                .build()
                .start();
        // Batches sized for the smallest transport (UDP datagrams): 16 KiB commands, 40 KB of entries per message.
        GroupOptions.Builder options = GroupOptions.builder().tuning(Tuning.forDatagrams());
        MEMBERS.forEach(options::voter);
        nodes.put(member, node);
        groups.put(member, node.join("kv", options.build(), new KvStateMachine(), new GroupListener() {}));
    }
}
