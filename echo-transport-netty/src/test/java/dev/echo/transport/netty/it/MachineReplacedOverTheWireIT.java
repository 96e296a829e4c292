package dev.echo.transport.netty.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.Transport;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.testkit.kv.KvStateMachine;
import dev.echo.testkit.transport.Inbox;
import dev.echo.testkit.transport.TransportConformance;
import dev.echo.transport.netty.NettyTcpTransport;
import dev.echo.transport.netty.TransportFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A machine replaced in the field (PROTOCOL.md §8), over real TCP and TLS with file journals: three members commit
 * writes; one is killed for good; a brand-new machine (new id, new port, empty data directory), which no member was
 * started knowing, joins from the seeds and is reached at the address its join recorded in the configuration; it
 * replaces the dead member at its rank and weight; a second original member is killed; the group keeps committing,
 * and the new machine holds every acknowledged write.
 */
class MachineReplacedOverTheWireIT {
    private static final MemberId N1 = MemberId.of("n1");
    private static final MemberId N2 = MemberId.of("n2");
    private static final MemberId N3 = MemberId.of("n3");
    private static final MemberId N4 = MemberId.of("n4");
    private static final List<MemberId> ORIGINAL = List.of(N1, N2, N3);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private final Map<MemberId, EchoNode> nodes = new LinkedHashMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();
    private final AcknowledgedWrites acknowledged = new AcknowledgedWrites(PATIENCE);
    private TransportConformance.Fixture fixture;

    @ParameterizedTest
    @EnumSource(
            value = TransportFixtures.Kind.class,
            names = {"TCP", "TLS"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aNewMachineJoinsFromTheSeedsAndReplacesADeadOne(TransportFixtures.Kind kind) throws Exception {
        fixture = TransportFixtures.create(kind, List.of("n1", "n2", "n3"));
        try {
            for (MemberId member : ORIGINAL) {
                start(member, fixture.create(member), GroupOptions.builder());
            }
            writes(1, 50, N1);
            kill(N3);
            writes(51, 100, N2);

            NettyTcpTransport fresh = TransportFixtures.unannounced(fixture, N4);
            EchoNode node = startNode(N4, fresh);
            MemberAddress address = MemberAddress.of(
                    new PeerAddress("127.0.0.1", fresh.localAddress().getPort()),
                    "client=n4".getBytes(StandardCharsets.UTF_8));
            join(N4, node, GroupOptions.builder().joinAt(address));
            assertTrue(
                    Inbox.await(() -> groups.get(N4).view().contains(N4), PATIENCE),
                    "the new machine was added from its own request to the seeds");
            // Every member applies the change in its own time: n1 may be a follower that hears of the commit later.
            assertTrue(
                    Inbox.await(() -> groups.get(N1).view().addressOf(N4).equals(Optional.of(address)), PATIENCE),
                    "its address is in n1's view: " + groups.get(N1).view());

            View replaced = groups.get(N1).replace(N3, N4, address).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(List.of(N1, N2, N4), voterIds(replaced), "n4 takes n3's rank");
            assertTrue(!replaced.contains(N3), "n3 left the group");

            writes(101, 150, N1);
            kill(N2);
            writes(151, 200, N4);
            assertTrue(
                    Inbox.await(() -> acknowledged.heldBy(groups.get(N4)), PATIENCE),
                    "n4 does not hold every acknowledged write");
        } finally {
            nodes.values().forEach(EchoNode::close);
            fixture.close();
        }
    }

    private static List<MemberId> voterIds(View view) {
        return view.voters().stream().map(View.Member::id).toList();
    }

    private EchoNode startNode(MemberId member, Transport transport) throws Exception {
        Path data = directory.resolve(member.value());
        Files.createDirectories(data);
        FileJournal journal = FileJournal.open(
                JournalOptions.builder(data, "it", member.value()).build());
        EchoNode node = EchoNode.builder(member)
                .transport(transport)
                .journal(journal)
                .build()
                .start();
        nodes.put(member, node);
        return node;
    }

    private void start(MemberId member, Transport transport, GroupOptions.Builder options) throws Exception {
        join(member, startNode(member, transport), options);
    }

    private void join(MemberId member, EchoNode node, GroupOptions.Builder options) {
        // Batches sized for the fixture's codec: 64 entries and 64 KiB per message.
        options.tuning(Tuning.forDatagrams());
        ORIGINAL.forEach(options::voter);
        groups.put(member, node.join("kv", options.build(), new KvStateMachine(), new GroupListener() {}));
    }

    private void kill(MemberId member) {
        nodes.remove(member).close();
        groups.remove(member);
    }

    private void writes(int from, int to, MemberId via) throws Exception {
        for (int i = from; i <= to; i++) {
            acknowledged.put(groups.get(via), "k" + (i % 29), "v" + i);
        }
    }
}
