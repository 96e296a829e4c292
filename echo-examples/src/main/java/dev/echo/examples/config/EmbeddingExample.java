package dev.echo.examples.config;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.transport.netty.ClusterKey;
import dev.echo.transport.netty.NettyTcpTransport;
import dev.echo.transport.netty.TcpTransportOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The embedding example of README.md and docs/guide.md: three members of a replicated configuration map, each an
 * {@link EchoNode} with a TCP transport and a file journal (here all in one process for brevity; in production one
 * per process or host). Run it with {@code java -cp ... dev.echo.examples.config.EmbeddingExample [dir]}.
 *
 * <p>Single-threaded main program.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {}

    /** Starts three members, writes a setting through one, reads it linearizably through another. */
    public static void main(String[] args) throws Exception {
        Path data = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("echo-embedding");
        System.out.println(run(data, 17_100));
    }

    /** Runs the example with data under {@code data} and ports from {@code basePort}; returns what it read. */
    public static String run(Path data, int basePort) throws Exception {
        Map<MemberId, PeerAddress> members = Map.of(
                MemberId.of("n1"), new PeerAddress("127.0.0.1", basePort + 1),
                MemberId.of("n2"), new PeerAddress("127.0.0.1", basePort + 2),
                MemberId.of("n3"), new PeerAddress("127.0.0.1", basePort + 3));
        // Every member holds the same cluster key; in production each reads it from a key file only it can read.
        ClusterKey key = ClusterKey.generate();
        List<EchoNode> nodes = new ArrayList<>();
        List<ReplicatedGroup> groups = new ArrayList<>();
        try {
            for (MemberId self : List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"))) {
                // --8<-- [start:embed]
                // One node per process: a transport to reach the peers, a journal for durability.
                TcpTransportOptions.Builder transport = TcpTransportOptions.builder(
                                self,
                                "config-cluster",
                                new InetSocketAddress(
                                        "127.0.0.1", members.get(self).port()))
                        .clusterKey(key); // peers prove they hold it; every frame is tagged with it
                members.forEach((peer, address) -> {
                    if (!peer.equals(self)) {
                        transport.peer(peer, address);
                    }
                });
                FileJournal journal = FileJournal.open(
                        JournalOptions.builder(data.resolve(self.value()), "config-cluster", self.value())
                                .build());
                EchoNode node = EchoNode.builder(self)
                        .transport(new NettyTcpTransport(transport.build()))
                        .journal(journal)
                        .build()
                        .start();
                // Join the group: same voters (in rank order) at every member, your state machine, a listener.
                GroupOptions options = GroupOptions.builder()
                        .voter(MemberId.of("n1"))
                        .voter(MemberId.of("n2"))
                        .voter(MemberId.of("n3"))
                        .build();
                ReplicatedGroup config = node.join("config", options, new ConfigMap(), new GroupListener() {
                    @Override
                    public void quorumLost(GroupStatus status) {
                        // writes now fail fast with NO_QUORUM; nothing is lost
                    }
                });
                // --8<-- [end:embed]
                nodes.add(node);
                groups.add(config);
            }
            ReplicatedGroup viaN1 = groups.get(0);
            ReplicatedGroup viaN3 = groups.get(2);
            for (ReplicatedGroup group : groups) {
                group.whenQuorum().get(30, TimeUnit.SECONDS); // each member has heard the first leader
            }
            // --8<-- [start:use]
            viaN1.submit(ConfigMap.put("feature.x", "on")).get(10, TimeUnit.SECONDS); // exactly-once
            byte[] value = viaN3.read(ConfigMap.get("feature.x")).get(10, TimeUnit.SECONDS); // linearizable
            // --8<-- [end:use]
            return "feature.x = " + new String(value, StandardCharsets.UTF_8);
        } finally {
            nodes.forEach(EchoNode::close);
        }
    }
}
