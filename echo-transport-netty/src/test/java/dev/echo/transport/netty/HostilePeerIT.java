package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.node.EchoNode;
import dev.echo.core.protocol.Domains;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Message;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.testkit.kv.KvCommand;
import dev.echo.testkit.kv.KvStateMachine;
import dev.echo.testkit.transport.Inbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an attacker did to a running cluster (issue: one forged frame left a group leaderless for good), done again
 * over real TCP to three members with file journals, on plain unauthenticated TCP and with a cluster key: a stranger,
 * and a learner of the group, connect to every member and send {@code TimeoutNow}, {@code VoteRequest} and
 * {@code AppendRequest} with terms 2^62, 2^63-1, 2^62-1 and negative values. The group keeps committing, no member's
 * term reaches anything the intruder sent (nothing of it was persisted), and after every member restarts from its
 * journal the group commits again.
 */
class HostilePeerIT {
    private static final List<MemberId> VOTERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    private static final MemberId LEARNER = MemberId.of("n4");
    private static final String CLUSTER = "hostile-it";
    private static final ClusterKey KEY = ClusterKey.generate();
    private static final MessageCodec CODEC = new MessageCodec(1 << 20, 1024, 8 << 20);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private final Map<MemberId, EchoNode> nodes = new LinkedHashMap<>();
    private final Map<MemberId, NettyTcpTransport> transports = new LinkedHashMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();

    @AfterEach
    void close() {
        nodes.values().forEach(EchoNode::close);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void forgedFramesChangeNothingAndTheGroupCommitsThroughAFullRestart(boolean keyed) throws Exception {
        startAll(keyed);
        put("before", "1");
        long termBefore = maxTerm();

        MemberId intruder = MemberId.of("intruder");
        long[] terms = {Domains.LIMIT, Long.MAX_VALUE, Domains.LIMIT - 1, -1, Long.MIN_VALUE};
        int intruderConnections = 0;
        for (MemberId attacker : List.of(intruder, LEARNER)) {
            for (MemberId target : VOTERS) {
                for (Message forged : forgeries(attacker, terms)) {
                    attack(keyed, attacker, target, forged);
                    intruderConnections += attacker.equals(intruder) ? 1 : 0;
                }
            }
        }
        long refusedProofs = 0;
        long refusedFrames = 0;
        for (NettyTcpTransport transport : transports.values()) {
            refusedProofs += transport.metrics().authFailures();
            refusedFrames += transport.metrics().decodeErrors();
        }
        if (keyed) {
            assertEquals(intruderConnections, refusedProofs, "every intruder failed the key proof");
        }
        assertTrue(refusedFrames > 0, "no out-of-domain frame was refused at decode");

        put("after", "2"); // the group still commits: it kept its leader or elected one
        long termAfter = maxTerm();
        assertTrue(termAfter < termBefore + 10, "terms moved from " + termBefore + " to " + termAfter);

        for (MemberId voter : VOTERS) {
            nodes.remove(voter).close();
        }
        startAll(keyed);
        put("restarted", "3");
        assertTrue(maxTerm() < termBefore + 20, "a forged term survived the restart: " + maxTerm());
        for (MemberId voter : VOTERS) {
            assertTrue(Inbox.await(() -> read(voter, "restarted").equals("3"), PATIENCE), voter + " lost a write");
            assertEquals("2", read(voter, "after"));
        }
    }

    /** TimeoutNow, VoteRequest and AppendRequest at each term: each on its own connection, since most close it. */
    private static List<Message> forgeries(MemberId attacker, long[] terms) {
        List<Message> forged = new ArrayList<>();
        for (long term : terms) {
            forged.add(new Message.TimeoutNow(attacker, term));
            forged.add(new Message.VoteRequest(attacker, term, Long.MAX_VALUE, 1, true));
            forged.add(new Message.AppendRequest(
                    attacker, term, 0, 0, List.of(new Entry(1, Math.max(1, term), new Entry.NoOp())), 1, 0));
        }
        return forged;
    }

    /**
     * Connects to {@code target} as {@code attacker} and sends {@code forged}. The learner holds the cluster key when
     * there is one, as a member of the group would; the intruder can only make a proof up, which must be refused.
     */
    private void attack(boolean keyed, MemberId attacker, MemberId target, Message forged) throws IOException {
        boolean holdsKey = keyed && attacker.equals(LEARNER);
        int port = transports.get(target).localAddress().getPort();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            byte[] nonce = ClusterKeyAuth.nonce();
            RawFrames.write(
                    socket,
                    RawFrames.handshake(new Handshake.Hello(
                            MessageCodec.VERSION, CLUSTER, attacker, 0, Optional.of(target), nonce)));
            if (!(RawFrames.readHandshake(socket) instanceof Handshake.Welcome welcome)) {
                return;
            }
            FrameTags tags = null;
            if (welcome.proof().length > 0) {
                ClusterKeyAuth key = new ClusterKeyAuth(
                        holdsKey ? KEY.toBytes() : ClusterKey.generate().toBytes());
                ClusterKeyAuth.Transcript transcript =
                        new ClusterKeyAuth.Transcript(CLUSTER, attacker, target, nonce, welcome.nonce());
                RawFrames.write(socket, RawFrames.handshake(new Handshake.Proof(key.clientProof(transcript))));
                tags = new FrameTags(key.clientToServer(transcript));
            }
            RawFrames.write(socket, RawFrames.envelope(CODEC, new Envelope("kv", 0, forged), tags));
            awaitClose(socket); // refused frames close the connection; an accepted one is ignored and stays open
        } catch (IOException closed) {
            // the member hung up on us: the expected answer
        }
    }

    private static void awaitClose(Socket socket) throws IOException {
        socket.setSoTimeout(300);
        try {
            while (socket.getInputStream().read() >= 0) {
                // a keyed member may answer pings; nothing else arrives on this connection
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            // not closed: the frame decoded and the core dropped it (a stranger's in-domain TimeoutNow, say)
        }
    }

    private void startAll(boolean keyed) throws Exception {
        for (MemberId voter : VOTERS) {
            TcpTransportOptions.Builder options = TcpTransportOptions.builder(
                            voter, CLUSTER, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .codec(CODEC);
            if (keyed) {
                options.clusterKey(KEY);
            } else {
                options.allowUnauthenticated();
            }
            NettyTcpTransport transport = new NettyTcpTransport(options.build());
            Path data = directory.resolve(voter.value());
            EchoNode node = EchoNode.builder(voter)
                    .transport(transport)
                    .journal(FileJournal.open(
                            JournalOptions.builder(data, CLUSTER, voter.value()).build()))
                    .build()
                    .start();
            nodes.put(voter, node);
            transports.put(voter, transport);
        }
        for (MemberId voter : VOTERS) { // every member listens on a port it bound itself: tell the others
            for (MemberId peer : VOTERS) {
                if (!peer.equals(voter)) {
                    transports.get(voter).updatePeer(peer, address(peer));
                }
            }
        }
        for (MemberId voter : VOTERS) {
            GroupOptions.Builder options = GroupOptions.builder();
            VOTERS.forEach(options::voter);
            options.learner(LEARNER);
            groups.put(
                    voter, nodes.get(voter).join("kv", options.build(), new KvStateMachine(), new GroupListener() {}));
        }
    }

    private PeerAddress address(MemberId member) {
        return new PeerAddress(
                "127.0.0.1", transports.get(member).localAddress().getPort());
    }

    private void put(String key, String value) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        for (int attempt = 0; ; attempt++) {
            ReplicatedGroup via = groups.get(VOTERS.get(attempt % VOTERS.size()));
            try {
                via.submit(KvCommand.put(key, value).encode()).get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException notNow) {
                assertTrue(System.nanoTime() < deadline, "no write committed within " + PATIENCE + ": " + notNow);
                via.whenQuorum().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    private String read(MemberId member, String key) {
        try {
            return new String(
                    groups.get(member).readStale(KvCommand.get(key).encode()).get(5, TimeUnit.SECONDS),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception notYet) {
            return "";
        }
    }

    private long maxTerm() {
        long term = 0;
        for (ReplicatedGroup group : groups.values()) {
            GroupStatus status = group.status();
            term = Math.max(term, status.term());
        }
        return term;
    }
}
