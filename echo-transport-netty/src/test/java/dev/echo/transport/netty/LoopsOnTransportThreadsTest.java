package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.Tuning;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.node.EchoNode;
import dev.echo.core.storage.StorageException;
import dev.echo.core.transport.Transport;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.testkit.storage.InMemoryJournal;
import dev.echo.testkit.transport.Inbox;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where a node runs its group loops over TCP and UDP (docs/architecture.md, "Threads"): on the transport's I/O
 * threads by default, on threads of their own when told so; and where a file journal writing on its callers' threads
 * then forces, on those same threads. Either way three members commit the same commands in the same order; the state
 * machine's thread shows which way it ran.
 */
class LoopsOnTransportThreadsTest {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("a"), MemberId.of("b"), MemberId.of("c"));
    private static final int COMMANDS = 300;
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final byte[] UDP_KEY = "a-test-cluster-key-32-bytes-long".getBytes(StandardCharsets.US_ASCII);

    private final TcpFixture fixture = new TcpFixture(false);
    private final Map<MemberId, EchoNode> nodes = new TreeMap<>();

    @AfterEach
    void close() {
        nodes.values().forEach(EchoNode::close);
    }

    @TempDir
    Path data;

    @ParameterizedTest(name = "{0}, on the transport's threads: {1}, journal: {2}")
    @CsvSource({
        "tcp, true, memory",
        "tcp, false, memory",
        "udp, true, memory",
        "udp, false, memory",
        "tcp, true, forced on the loops",
        "tcp, false, forced on the loops",
        "udp, true, forced on the loops"
    })
    void threeMembersCommitInOneOrderWithTheirLoopsWhereTheyWereToldToRun(
            String kind, boolean onTransport, String journal) throws Exception {
        boolean udp = kind.equals("udp");
        Map<MemberId, Integer> ports = new TreeMap<>();
        for (MemberId member : MEMBERS) {
            Transport transport = udp
                    ? new NettyUdpTransport(UdpTransportOptions.builder(
                                    member, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UDP_KEY)
                            .build())
                    : new NettyTcpTransport(fixture.options(member, builder -> builder.codec(MessageCodec.defaults())));
            nodes.put(
                    member,
                    EchoNode.builder(member)
                            .transport(transport)
                            .journal(journal.equals("memory") ? new InMemoryJournal() : writingOnLoops(member))
                            .loopsOnTransportThreads(onTransport)
                            .build()
                            .start());
            ports.put(
                    member,
                    udp
                            ? ((NettyUdpTransport) transport).localAddress().getPort()
                            : ((NettyTcpTransport) transport).localAddress().getPort());
        }
        // Over UDP every message must fit a datagram (as echo-kv's --transport udp sizes it).
        GroupOptions.Builder options = GroupOptions.builder().tuning(udp ? Tuning.forDatagrams() : Tuning.defaults());
        ports.forEach((member, port) -> options.voter(member, 1, MemberAddress.of(new PeerAddress("127.0.0.1", port))));
        Map<MemberId, Recorder> machines = new ConcurrentHashMap<>();
        Map<MemberId, ReplicatedGroup> groups = new TreeMap<>();
        for (MemberId member : MEMBERS) {
            Recorder machine = new Recorder();
            machines.put(member, machine);
            groups.put(member, nodes.get(member).join("g", options.build(), machine, new GroupListener() {}));
        }
        for (ReplicatedGroup group : groups.values()) {
            group.whenQuorum().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }

        ReplicatedGroup first = groups.get(MEMBERS.get(0));
        List<CompletableFuture<byte[]>> outcomes = new ArrayList<>();
        for (int i = 0; i < COMMANDS; i++) {
            outcomes.add(first.submit(("command-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < COMMANDS; i++) {
            assertEquals(
                    "command-" + i,
                    new String(outcomes.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8));
        }
        assertTrue(
                Inbox.await(
                        () -> machines.values().stream().allMatch(machine -> machine.applied.size() >= COMMANDS),
                        PATIENCE),
                "every member applies every command");
        List<String> order = machines.get(MEMBERS.get(0)).applied;
        for (MemberId member : MEMBERS) {
            assertEquals(order, machines.get(member).applied, member + " applied another order");
            String prefix = (onTransport ? "echo-" + kind + "-" : "echo-loop-") + member.value() + "-";
            for (String thread : machines.get(member).threads) {
                assertTrue(thread.startsWith(prefix), member + " applied on " + thread + ", not on " + prefix + "*");
            }
            assertTrue(
                    journal.equals("memory") || !threadRuns("echo-journal-writer-" + member.value()),
                    member + "'s journal forces on the loop threads, with no writer thread");
        }
    }

    private FileJournal writingOnLoops(MemberId member) throws StorageException {
        return FileJournal.open(JournalOptions.builder(data.resolve(member.value()), "loops", member.value())
                .writesOnCallerThreads(true)
                .build());
    }

    private static boolean threadRuns(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals(name));
    }

    /** Records each applied command and the threads that applied them; answers with the command. */
    private static final class Recorder implements StateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public byte[] apply(long index, byte[] command) {
            applied.add(new String(command, StandardCharsets.UTF_8));
            String thread = Thread.currentThread().getName();
            if (!threads.contains(thread)) {
                threads.add(thread);
            }
            return command;
        }

        @Override
        public byte[] query(byte[] query) {
            return query;
        }
    }
}
