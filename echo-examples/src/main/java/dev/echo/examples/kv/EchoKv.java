package dev.echo.examples.kv;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.Tuning;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.node.EchoNode;
import dev.echo.core.node.GroupRestore;
import dev.echo.core.storage.Journal;
import dev.echo.core.storage.SnapshotContent;
import dev.echo.core.storage.StorageException;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.journal.SnapshotFile;
import dev.echo.transport.netty.ClusterKey;
import dev.echo.transport.netty.DiscoveryOptions;
import dev.echo.transport.netty.LanDiscovery;
import dev.echo.transport.netty.NettyTcpTransport;
import dev.echo.transport.netty.NettyUdpTransport;
import dev.echo.transport.netty.TcpTransportOptions;
import dev.echo.transport.netty.TlsCredentials;
import dev.echo.transport.netty.UdpTransportOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/echo-kv}: one member of a replicated key-value store that speaks RESP2. Each process is one Echo node
 * with one group ("kv"), a file journal in its data directory, a peer transport (TCP, TLS or UDP) and a RESP
 * listener for clients. Runs until killed; a SIGTERM closes it gracefully (the journal is forced).
 *
 * <p>Threading: the RESP listener has its own Netty event loop; replies are written there; Echo's loops do the rest.
 */
public final class EchoKv implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EchoKv.class);
    private static final String GROUP = "kv";
    /** How long a joining member keeps asking its seeds who they are while none answers. */
    private static final Duration SEED_PATIENCE = Duration.ofMinutes(5);

    private final KvOptions options;
    private final EchoNode node;
    private final ReplicatedGroup group;
    private final EventLoopGroup clientLoops;
    private final Channel clientServer;
    /** The metrics endpoint, or null without {@code --metrics}. */
    private final MetricsEndpoint metrics;
    /** Answers LAN discovery while this member is a voter, or null without {@code --discovery}. */
    private final LanDiscovery discovery;

    EchoKv(KvOptions options) throws Exception {
        this.options = options;
        try {
            Files.createDirectories(options.dataDirectory());
        } catch (IOException unusable) {
            throw new IOException(
                    "--data " + options.dataDirectory() + ": " + StartupErrors.reason(unusable), unusable);
        }
        // Started one after another; if any step fails, whatever was started is closed (ports, threads, the journal).
        MetricsEndpoint endpoint = null;
        FileJournal journal = null;
        Transport transport = null;
        EchoNode started = null;
        LanDiscovery answering = null;
        EventLoopGroup loops = null;
        try {
            endpoint = options.metricsBind().map(MetricsEndpoint::start).orElse(null);
            MetricsSink sink = endpoint == null ? MetricsSink.NONE : endpoint.sink();
            journal = openJournal(options, sink);
            transport = transport(options);
            started = EchoNode.builder(options.id())
                    .metrics(sink)
                    .transport(transport)
                    .journal(journal)
                    .build()
                    .start(); // the node owns the journal and the transport from here on
            ReplicatedGroup joined =
                    started.join(GROUP, membersOrSeeds(options, transport), new KvStore(), quorumLog(options.id()));
            answering = answerDiscovery(options, joined);
            loops = new NioEventLoopGroup(2, new DefaultThreadFactory("echo-kv-resp", true));
            clientServer = serveClients(options, loops, joined, infoSource(options, answering));
            metrics = endpoint;
            node = started;
            group = joined;
            discovery = answering;
            clientLoops = loops;
        } catch (Exception | Error failure) {
            if (loops != null) {
                loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (answering != null) {
                answering.close();
            }
            if (started != null) {
                started.close();
            } else {
                if (transport != null) {
                    transport.close();
                }
                if (journal != null) {
                    journal.close();
                }
            }
            if (endpoint != null) {
                endpoint.close();
            }
            throw failure;
        }
    }

    /**
     * The group's initial members (an original member's {@code --members}), or, for a machine that joins, its seeds:
     * given with ids, given as bare addresses, or found on the LAN; whoever listens at a bare address is asked who it is
     * (PROTOCOL.md §8).
     */
    private static GroupOptions membersOrSeeds(KvOptions options, Transport transport) throws Exception {
        Map<MemberId, PeerAddress> members = new LinkedHashMap<>(options.members());
        boolean discovers = options.joinAt().isPresent()
                && options.members().isEmpty()
                && options.seeds().isEmpty();
        if (!options.seeds().isEmpty() || discovers) {
            JoinSeeds.Addresses addresses = discovers
                    ? () -> List.copyOf(LanDiscovery.find(discoveryOptions(options), SEED_PATIENCE)
                            .values())
                    : options::seeds;
            JoinSeeds.resolve(options.dataDirectory(), transport, addresses, SEED_PATIENCE)
                    .forEach(members::putIfAbsent);
        }
        GroupOptions.Builder groupOptions = groupOptions(options, members);
        options.joinAt()
                .ifPresent(address -> groupOptions.joinAt(MemberAddress.of(
                        address, ("client=" + options.clientBind()).getBytes(StandardCharsets.UTF_8))));
        return groupOptions.build();
    }

    private static GroupListener quorumLog(MemberId self) {
        return new GroupListener() {
            @Override
            public void quorumLost(GroupStatus status) {
                LOG.warn("{} lost the quorum: writes are paused (NOQUORUM) until it is regained", self);
            }

            @Override
            public void quorumRegained(GroupStatus status) {
                LOG.info("{} has the quorum: {} in term {}", self, status.role(), status.term());
            }
        };
    }

    /** With {@code --discovery}: answers while this member is a voter, since only a voter relays a join (§8). */
    private static LanDiscovery answerDiscovery(KvOptions options, ReplicatedGroup group)
            throws TransportException, IOException {
        if (options.discovery().isEmpty()) {
            return null;
        }
        return LanDiscovery.answer(discoveryOptions(options), options.id(), options.advertised(), () -> group.view()
                .isVoter(options.id()));
    }

    private static RespHandler.InfoSource infoSource(KvOptions options, LanDiscovery discovery) {
        String fixed = "member_id:" + options.id() + "\r\ntransport:" + options.transport() + "\r\n";
        if (discovery == null) {
            return () -> fixed;
        }
        InetSocketAddress on = options.discovery().orElseThrow();
        return () -> fixed + "discovery:" + on.getHostString() + ":" + on.getPort() + ",answered="
                + discovery.questionsAnswered() + "\r\n";
    }

    /** Listens for RESP clients; throws if the port is taken (Netty throws the BindException unchecked). */
    private static Channel serveClients(
            KvOptions options, EventLoopGroup loops, ReplicatedGroup group, RespHandler.InfoSource info) {
        int maxBulk = tuning(options).maxCommandBytes() / 2;
        return new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        RespHandler.install(
                                channel.pipeline(), maxBulk, new RespHandler(group, options.staleReads(), info));
                    }
                })
                .bind(new InetSocketAddress(
                        options.clientBind().host(), options.clientBind().port()))
                .syncUninterruptibly()
                .channel();
    }

    /** Starts a member from command-line arguments; blocks until the process is told to stop. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(KvOptions.USAGE);
            return;
        }
        KvOptions options;
        try {
            options = KvOptions.parse(args);
        } catch (IllegalArgumentException wrong) {
            System.err.println("echo-kv: " + wrong.getMessage());
            System.err.println("Try bin/echo-kv --help");
            System.exit(2);
            return;
        }
        EchoKv server;
        try {
            server = new EchoKv(options);
        } catch (TransportException
                | IOException
                | StorageException
                | EchoException
                | IllegalStateException cannotStart) {
            // no seed answered, or --restore found no usable file or a directory that holds the group already
            System.err.println("echo-kv: " + StartupErrors.describe(cannotStart));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "echo-kv-shutdown"));
        System.out.println("echo-kv " + options.id() + " ready: clients on " + options.clientBind() + ", peers on "
                + options.peerBind() + " (" + options.transport() + ")");
        server.metricsPort()
                .ifPresent(port -> System.out.println("echo-kv " + options.id() + " metrics on http://"
                        + options.metricsBind().get().getHostString() + ":" + port + "/metrics"));
        System.out.flush();
        stopped.await();
    }

    /** The port the metrics endpoint bound, if {@code --metrics} was given. */
    Optional<Integer> metricsPort() {
        return Optional.ofNullable(metrics).map(MetricsEndpoint::port);
    }

    @Override
    public void close() {
        clientServer.close().syncUninterruptibly();
        clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (discovery != null) {
            discovery.close();
        }
        node.close();
        if (metrics != null) {
            metrics.close();
        }
    }

    /** The group's options with {@code members} as its voters, in rank order, with their weights and addresses. */
    static GroupOptions.Builder groupOptions(KvOptions options, Map<MemberId, PeerAddress> members) {
        GroupOptions.Builder groupOptions = GroupOptions.builder().tuning(tuning(options));
        // Addresses are part of membership (PROTOCOL.md §8): a machine added later learns them from the log.
        members.forEach(
                (m, address) -> groupOptions.voter(m, options.weights().getOrDefault(m, 1), MemberAddress.of(address)));
        return groupOptions;
    }

    /**
     * The member's journal, seeded first with {@code --restore}'s file if given. The seeding runs on a journal of its
     * own, closed before the member's is opened: a journal opens a group once.
     */
    static FileJournal openJournal(KvOptions options, MetricsSink sink) throws StorageException, IOException {
        JournalOptions.Builder journal = JournalOptions.builder(
                        options.dataDirectory(),
                        options.clusterId(),
                        options.id().value())
                .metrics(sink)
                .idleSpinIterations(options.journalSpin());
        if (options.restoreFrom().isPresent()) {
            try (FileJournal seeding = FileJournal.open(journal.build())) {
                restore(seeding, options);
            }
        }
        return FileJournal.open(journal.build());
    }

    /**
     * {@code --restore FILE|DIR}: seeds this new member's journal with the snapshot file (or a directory's newest) as
     * the group's starting point, under the {@code --members} membership (docs/operations.md, "Losing machines, and
     * disaster recovery"); the member then starts from it.
     *
     * @throws StorageException if the file is missing, not a snapshot file, or its header is damaged
     * @throws IOException if its content is damaged or is not an echo-kv state (another application's snapshot)
     * @throws IllegalStateException if the data directory already holds the group: a restore never overwrites a
     *     member's state
     */
    static void restore(Journal journal, KvOptions options) throws StorageException, IOException {
        Path from = options.restoreFrom().orElseThrow();
        SnapshotFile file = Files.isDirectory(from)
                ? SnapshotFile.newest(from)
                        .orElseThrow(() -> new IOException(from + " holds no readable snapshot file"))
                : SnapshotFile.read(from);
        // Read once into a scratch store first: a file of another application's group, or damaged, is refused before
        // the journal records anything.
        try (InputStream content = file.open()) {
            SnapshotContent.restore(content, new KvStore());
        } catch (IOException notKv) {
            throw new IOException(file.path() + " does not hold an echo-kv state: " + notKv.getMessage(), notKv);
        }
        try (InputStream content = file.open()) {
            GroupRestore.seed(
                    journal,
                    GROUP,
                    options.id(),
                    groupOptions(options, options.members()).build(),
                    file.index(),
                    file.term(),
                    content);
        }
        LOG.info(
                "{} restored group {} from {} (index {}, term {})",
                options.id(),
                GROUP,
                file.path(),
                file.index(),
                file.term());
    }

    private static Transport transport(KvOptions options) throws Exception {
        InetSocketAddress bind = new InetSocketAddress(
                options.peerBind().host(), options.peerBind().port());
        if (options.transport().equals("udp")) {
            byte[] key = clusterKey(options).toBytes();
            UdpTransportOptions.Builder udp = UdpTransportOptions.builder(options.id(), bind, key);
            peers(options).forEach(udp::peer);
            return new NettyUdpTransport(udp.build());
        }
        TcpTransportOptions.Builder tcp = TcpTransportOptions.builder(options.id(), options.clusterId(), bind);
        peers(options).forEach(tcp::peer);
        if (options.keyFile().isPresent()) {
            tcp.clusterKey(clusterKey(options));
        } else if (options.unauthenticated()) {
            tcp.allowUnauthenticated();
        }
        if (options.transport().equals("tls")) {
            char[] password = options.tlsPassword().toCharArray();
            tcp.tls(TlsCredentials.fromPkcs12(
                    options.tlsKeyStore().orElseThrow(),
                    password,
                    options.tlsTrustStore().orElseThrow(),
                    password));
        }
        return new NettyTcpTransport(tcp.build());
    }

    /** The cluster key in {@code --key-file}: the transport's, and discovery's. */
    private static ClusterKey clusterKey(KvOptions options) throws IOException {
        Path file = options.keyFile().orElseThrow();
        byte[] key;
        try {
            key = Files.readAllBytes(file);
        } catch (IOException unreadable) {
            throw new IOException("--key-file " + file + ": " + StartupErrors.reason(unreadable), unreadable);
        }
        try {
            return ClusterKey.of(key);
        } catch (IllegalArgumentException wrong) {
            throw new IOException("--key-file " + file + ": " + wrong.getMessage(), wrong);
        }
    }

    private static DiscoveryOptions discoveryOptions(KvOptions options) throws IOException {
        DiscoveryOptions discovery = DiscoveryOptions.of(
                options.clusterId(), clusterKey(options), options.discovery().orElseThrow());
        return options.discoveryInterface().map(discovery::onInterface).orElse(discovery);
    }

    private static Map<MemberId, PeerAddress> peers(KvOptions options) {
        Map<MemberId, PeerAddress> peers = new LinkedHashMap<>(options.members());
        peers.remove(options.id());
        return peers;
    }

    /**
     * Batches sized for the transport (UDP carries at most one 64,000-byte datagram per message), snapshots every
     * {@code --snapshot-every} entries, and dynamic voting as asked: {@code --suspect-timeout 0} keeps the membership
     * static.
     */
    private static Tuning tuning(KvOptions options) {
        Tuning defaults = Tuning.defaults();
        Tuning forTransport = options.transport().equals("udp") ? Tuning.forDatagrams() : defaults;
        Tuning sized = forTransport.withSnapshots(
                options.snapshotEvery(), forTransport.snapshotChunkBytes(), forTransport.snapshotChunkTimeout());
        if (options.suspectTimeoutMillis() == 0) {
            return sized.withStaticMembership();
        }
        return sized.withDynamicVoting(Duration.ofMillis(options.suspectTimeoutMillis()), defaults.readmitAfter());
    }
}
