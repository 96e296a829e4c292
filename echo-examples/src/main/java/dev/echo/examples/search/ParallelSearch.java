package dev.echo.examples.search;

import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.Transport;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.transport.netty.ClusterKey;
import dev.echo.transport.netty.NettyTcpTransport;
import dev.echo.transport.netty.TcpTransportOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bin/echo-search}: the parallel search of the virtual synchrony papers on Echo (issue 23), one process with k
 * members over loopback TCP. Every member holds the same records; a query is multicast; member i of k answers from the
 * i-th chunk; the asker combines the answers. Then one member dies, the next view splits the records among the
 * survivors, and the same query gives the same answer. Each answer is checked against a plain scan.
 *
 * <p>Single-threaded main program; the members' listeners run on their groups' loop threads.
 */
public final class ParallelSearch {
    private static final String USAGE = """
            Usage: bin/echo-search [--members K] [--records N] [--query TEXT] [--base-port P]
              The parallel search of the virtual synchrony papers, on Echo: K members (default 4) in this process,
              over loopback TCP on ports P+1..P+K (default P 17400), each holding the same N records (default
              200000). A query (default "echo") is multicast; member i of K answers from the i-th chunk; the asker
              combines the answers. Then a member dies, the next view re-splits the chunks, and the query is asked
              again. Exits 0 when both answers equal a plain scan of the records.""";
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String[] WORDS = {
        "echo", "view", "rank", "flush", "group", "member", "quorum", "leader", "journal", "commit", "state", "log"
    };

    private ParallelSearch() {}

    /** Runs the search; see {@link #USAGE}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(USAGE);
                return;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("echo-search: unexpected argument " + args[i] + "\n" + USAGE);
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        int members = Integer.parseInt(options.getOrDefault("members", "4"));
        int records = Integer.parseInt(options.getOrDefault("records", "200000"));
        String query = options.getOrDefault("query", "echo");
        int basePort = Integer.parseInt(options.getOrDefault("base-port", "17400"));
        if (members < 2 || records < 1 || basePort < 1 || basePort + members > 65535) {
            System.err.println("echo-search: needs at least 2 members, 1 record and ports in range\n" + USAGE);
            System.exit(2);
        }
        Path data = Files.createTempDirectory("echo-search");
        try {
            boolean same = run(members, records, query, tcp(basePort, data), System.out);
            System.exit(same ? 0 : 1);
        } finally {
            deleteTree(data);
        }
    }

    /**
     * Starts {@code members} members through {@code start}, asks {@code query}, stops the member of rank 1, asks
     * again; returns whether both answers equal a plain scan.
     */
    static boolean run(int members, int recordCount, String query, Starter start, PrintStream out) throws Exception {
        List<String> records = records(recordCount);
        long expected =
                records.stream().filter(record -> record.contains(query)).count();
        List<MemberId> ids = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            ids.add(MemberId.of("s" + i));
        }
        List<EchoNode> nodes = start.start(ids);
        Map<MemberId, EchoNode> byId = new LinkedHashMap<>();
        List<SearchMember> searchers = new ArrayList<>();
        try {
            for (int i = 0; i < ids.size(); i++) {
                SearchMember searcher = new SearchMember(ids.get(i), records, line -> out.println("  " + line));
                GroupOptions.Builder options = GroupOptions.builder().multicast(true);
                ids.forEach(options::voter);
                ReplicatedGroup group = nodes.get(i).join("search", options.build(), new NoState(), searcher);
                searcher.attach(group);
                searchers.add(searcher);
                byId.put(ids.get(i), nodes.get(i));
            }
            out.println("Each of " + members + " members holds the same " + recordCount + " records; waiting for the "
                    + "first multicast view of all of them...");
            awaitViewOfSize(searchers, members);
            SearchMember asker = searchers.get(0);
            boolean first = ask(asker, query, expected, out);

            MemberId victim = asker.view().members().get(1);
            out.println("Stopping " + victim + " (rank 1): the leader leaves it out of the next view once it holds "
                    + "the others back, and the survivors split the records among themselves...");
            byId.remove(victim).close();
            searchers.removeIf(searcher -> searcher.id().equals(victim));
            boolean second = ask(asker, query, expected, out);
            return first && second;
        } finally {
            byId.values().forEach(EchoNode::close);
        }
    }

    private static boolean ask(SearchMember asker, String query, long expected, PrintStream out) throws Exception {
        SearchMember.Result result = asker.ask(query).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        out.println("Query \"" + query + "\" asked by " + asker.id() + ", answered in view "
                + result.view().epoch() + " by " + result.view().members() + ":");
        for (int rank = 0; rank < result.byRank().size(); rank++) {
            out.println("  rank " + rank + " (" + result.view().members().get(rank) + ") found "
                    + result.byRank().get(rank) + " in its chunk 1/"
                    + result.byRank().size());
        }
        out.println("  total " + result.matches() + ", e.g. "
                + result.samples().stream().limit(2).toList());
        boolean same = result.matches() == expected;
        out.println("  a plain scan finds " + expected + ": " + (same ? "the same" : "DIFFERENT"));
        return same;
    }

    private static void awaitViewOfSize(List<SearchMember> searchers, int size) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!searchers.stream()
                .allMatch(s -> s.view().participating() && s.view().size() == size)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no multicast view of " + size + " members within " + PATIENCE);
            }
            Thread.sleep(20); // the first leader's first view: a report round and a log entry
        }
    }

    /** The same records at every member: seeded, so every member (and the plain scan) sees the same. */
    static List<String> records(int count) {
        SplittableRandom random = new SplittableRandom(23);
        List<String> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(String.format(
                    "record-%07d %s %s %s",
                    i,
                    WORDS[random.nextInt(WORDS.length)],
                    WORDS[random.nextInt(WORDS.length)],
                    WORDS[random.nextInt(WORDS.length)]));
        }
        return records;
    }

    /** Members over loopback TCP with a cluster key and file journals under {@code data}. */
    private static Starter tcp(int basePort, Path data) {
        return ids -> {
            ClusterKey key = ClusterKey.generate();
            List<EchoNode> nodes = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                MemberId self = ids.get(i);
                TcpTransportOptions.Builder transport = TcpTransportOptions.builder(
                                self, "search-cluster", new InetSocketAddress("127.0.0.1", basePort + i + 1))
                        .clusterKey(key);
                for (int j = 0; j < ids.size(); j++) {
                    if (j != i) {
                        transport.peer(ids.get(j), new PeerAddress("127.0.0.1", basePort + j + 1));
                    }
                }
                Transport tcp = new NettyTcpTransport(transport.build());
                try {
                    FileJournal journal = FileJournal.open(
                            JournalOptions.builder(data.resolve(self.value()), "search-cluster", self.value())
                                    .build());
                    nodes.add(EchoNode.builder(self)
                            .transport(tcp)
                            .journal(journal)
                            .build()
                            .start());
                } catch (Exception e) {
                    nodes.forEach(EchoNode::close);
                    throw e;
                }
            }
            return nodes;
        };
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Starts one node per member id, in order: over TCP here, in memory in tests. */
    @FunctionalInterface
    interface Starter {
        List<EchoNode> start(List<MemberId> ids) throws Exception;
    }

    /** The search keeps no replicated state: its records are the same everywhere from the start. */
    private static final class NoState implements StateMachine {
        @Override
        public byte[] apply(long index, byte[] command) {
            return new byte[0];
        }

        @Override
        public byte[] query(byte[] query) {
            return new byte[0];
        }
    }
}
