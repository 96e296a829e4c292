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
        Files.createDirectories(options.dataDirectory());
        this.metrics = options.metricsBind().map(MetricsEndpoint::start).orElse(null);
        try { // whatever fails below, the metrics endpoint's port is released
            MetricsSink sink = metrics == null ? MetricsSink.NONE : metrics.sink();
            FileJournal journal = openJournal(options, sink);
            Transport transport;
            try {
                transport = transport(options);
            } catch (Exception | Error failure) {
                journal.close();
                throw failure;
            }
            node = EchoNode.builder(options.id())
                    .metrics(sink)
                    .transport(transport)
                    .journal(journal)
                    .build()
                    .start();
            Map<MemberId, PeerAddress> members = new LinkedHashMap<>(options.members());
            boolean discovers = options.joinAt().isPresent()
                    && options.members().isEmpty()
                    && options.seeds().isEmpty();
            if (!options.seeds().isEmpty() || discovers) { // seeds as bare addresses, given or found: ask who is there
                JoinSeeds.Addresses addresses = discovers
                        ? () -> List.copyOf(LanDiscovery.find(discoveryOptions(options), SEED_PATIENCE)
                                .values())
                        : options::seeds;
                try {
                    JoinSeeds.resolve(options.dataDirectory(), transport, addresses, SEED_PATIENCE)
                            .forEach(members::putIfAbsent);
                } catch (TransportException | IOException | InterruptedException | RuntimeException noSeed) {
                    node.close();
                    throw noSeed;
                }
            }
            GroupOptions.Builder groupOptions = groupOptions(options, members);
            options.joinAt()
                    .ifPresent(address -> groupOptions.joinAt(MemberAddress.of(
                            address, ("client=" + options.clientBind()).getBytes(StandardCharsets.UTF_8))));
            group = node.join(GROUP, groupOptions.build(), new KvStore(), new GroupListener() {
                @Override
                public void quorumLost(GroupStatus status) {
                    LOG.warn("{} lost the quorum: writes are paused (NOQUORUM) until it is regained", options.id());
                }

                @Override
                public void quorumRegained(GroupStatus status) {
                    LOG.info("{} has the quorum: {} in term {}", options.id(), status.role(), status.term());
                }
            });
            if (options.discovery().isPresent()) { // a voter can relay a join; a learner or a joiner cannot (§8)
                try {
                    discovery = LanDiscovery.answer(
                            discoveryOptions(options), options.id(), options.advertised(), () -> group.view()
                                    .isVoter(options.id()));
                } catch (TransportException | RuntimeException cannotListen) {
                    node.close();
                    throw cannotListen;
                }
            } else {
                discovery = null;
            }
            clientLoops = new NioEventLoopGroup(2, new DefaultThreadFactory("echo-kv-resp", true));
            int maxBulk = tuning(options).maxCommandBytes() / 2;
            RespHandler.InfoSource info = () -> "member_id:" + options.id() + "\r\ntransport:" + options.transport()
                    + "\r\n"
                    + (discovery == null
                            ? ""
                            : "discovery:" + options.discovery().orElseThrow().getHostString() + ":"
                                    + options.discovery().orElseThrow().getPort() + ",answered="
                                    + discovery.questionsAnswered() + "\r\n");
            try {
                clientServer = new ServerBootstrap()
                        .group(clientLoops)
                        .channel(NioServerSocketChannel.class)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel channel) {
                                RespHandler.install(
                                        channel.pipeline(),
                                        maxBulk,
                                        new RespHandler(group, options.staleReads(), info));
                            }
                        })
                        .bind(new InetSocketAddress(
                                options.clientBind().host(),
                                options.clientBind().port()))
                        .syncUninterruptibly()
                        .channel();
            } catch (
                    Exception cannotBind) { // the RESP port in use (Netty throws BindException unchecked), or not local
                clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                if (discovery != null) {
                    discovery.close();
                }
                node.close();
                throw cannotBind;
            }
        } catch (Exception | Error failure) {
            if (metrics != null) {
                metrics.close();
            }
            throw failure;
        }
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
            System.err.println("echo-kv: " + cannotStart.getMessage());
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
            byte[] key = Files.readAllBytes(options.keyFile().orElseThrow());
            UdpTransportOptions.Builder udp = UdpTransportOptions.builder(options.id(), bind, key);
            peers(options).forEach(udp::peer);
            return new NettyUdpTransport(udp.build());
        }
        TcpTransportOptions.Builder tcp = TcpTransportOptions.builder(options.id(), options.clusterId(), bind);
        peers(options).forEach(tcp::peer);
        if (options.keyFile().isPresent()) {
            tcp.clusterKey(ClusterKey.of(Files.readAllBytes(options.keyFile().get())));
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

    private static DiscoveryOptions discoveryOptions(KvOptions options) throws TransportException {
        ClusterKey key;
        try {
            key = ClusterKey.of(Files.readAllBytes(options.keyFile().orElseThrow()));
        } catch (IOException | IllegalArgumentException unreadable) {
            throw new TransportException(
                    TransportException.Reason.BAD_CREDENTIALS,
                    "cannot read the cluster key for discovery: " + unreadable.getMessage(),
                    unreadable);
        }
        DiscoveryOptions discovery = DiscoveryOptions.of(
                options.clusterId(), key, options.discovery().orElseThrow());
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
        Tuning forTransport = options.transport().equals("udp")
                ? defaults.withBatching(64, 32).withSizes(40_000, 16 << 10)
                : defaults;
        Tuning sized = forTransport.withSnapshots(
                options.snapshotEvery(), forTransport.snapshotChunkBytes(), forTransport.snapshotChunkTimeout());
        if (options.suspectTimeoutMillis() == 0) {
            return sized.withStaticMembership();
        }
        return sized.withDynamicVoting(Duration.ofMillis(options.suspectTimeoutMillis()), defaults.readmitAfter());
    }
}
