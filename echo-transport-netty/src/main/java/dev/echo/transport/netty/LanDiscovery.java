package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.TransportException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finding a cluster's members on one LAN without a seed list (PROTOCOL.md §8, "Discovery"; off unless configured).
 * Members {@linkplain #answer answer}: they listen on a multicast group and tell whoever asks under the cluster key
 * their id and advertised address. A new machine {@linkplain #find finds} them by asking, and then treats what it
 * found exactly as seeds given by address: the transport's handshake authenticates each before it is asked to join
 * ({@code SeedResolver}). Discovery only saves typing the seed list; it grants nothing.
 *
 * <p>What it protects: questions and answers carry an HMAC-SHA256 tag under the cluster key, so members never answer
 * a stranger and a stranger cannot plant an address; an answer repeats the question's fresh nonce, so an old one
 * cannot be replayed into a new search; a member answers each nonce once, so a replayed question does not make it
 * send again. What it does not: anyone on the LAN sees that a cluster is there and which addresses its members use.
 *
 * <p>Threading: an answering instance owns one daemon thread ({@code echo-discovery-ID}) that blocks on its socket;
 * {@link #close} stops it. {@link #find} blocks its caller for up to its patience; call it at start-up, never from a
 * group loop or an I/O thread. Thread-safe.
 */
public final class LanDiscovery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LanDiscovery.class);
    /** How many recent question nonces an answering member remembers, so a replayed question gets no answer. */
    static final int REMEMBERED_QUESTIONS = 1024;

    private final MulticastSocket socket;
    private final DiscoveryOptions options;
    private final MemberId self;
    private final PeerAddress advertised;
    private final BooleanSupplier answering;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    private LanDiscovery(
            MulticastSocket socket,
            DiscoveryOptions options,
            MemberId self,
            PeerAddress advertised,
            BooleanSupplier answering) {
        this.socket = socket;
        this.options = options;
        this.self = self;
        this.advertised = advertised;
        this.answering = answering;
    }

    /**
     * Starts answering questions on {@code options}' group: while {@code answering} says so, each question tagged under
     * the cluster key is answered with {@code self} at {@code advertised}. A machine that is still joining should say
     * no, so no other new machine takes it for a member.
     *
     * @throws TransportException {@code BIND_FAILED} if the group's port cannot be bound or the group not joined on the
     *     interface (no such interface, or it carries no multicast)
     */
    public static LanDiscovery answer(
            DiscoveryOptions options, MemberId self, PeerAddress advertised, BooleanSupplier answering)
            throws TransportException {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(advertised, "advertised");
        Objects.requireNonNull(answering, "answering");
        MulticastSocket socket = null;
        try {
            socket = new MulticastSocket(null); // unbound: several members of one host share the group's port
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(options.group().getPort()));
            socket.joinGroup(options.group(), networkInterface(options));
            socket.setOption(StandardSocketOptions.IP_MULTICAST_TTL, options.hops());
        } catch (IOException | RuntimeException failed) {
            if (socket != null) {
                socket.close();
            }
            throw new TransportException(
                    TransportException.Reason.BIND_FAILED,
                    "cannot listen for discovery on " + groupOf(options) + " via " + interfaceName(options) + ": "
                            + failed.getMessage(),
                    failed);
        }
        LanDiscovery discovery = new LanDiscovery(socket, options, self, advertised, answering);
        Thread thread = new Thread(discovery::answerQuestions, "echo-discovery-" + self);
        thread.setDaemon(true);
        thread.start();
        LOG.info("{} answers discovery on {} via {} as {}", self, groupOf(options), interfaceName(options), advertised);
        return discovery;
    }

    /**
     * Asks on {@code options}' group who the cluster's members are, and keeps asking (each round waiting twice as long
     * as the one before, up to ten first rounds) until at least one answered or {@code patience} ran out.
     *
     * @return each member that answered in the first round that had answers → the address it advertises
     * @throws TransportException {@code PEER_UNREACHABLE} when nobody answered within the patience, saying where it
     *     asked; {@code BIND_FAILED} when it cannot multicast on the interface at all
     * @throws InterruptedException if interrupted while waiting
     */
    public static Map<MemberId, PeerAddress> find(DiscoveryOptions options, Duration patience)
            throws TransportException, InterruptedException {
        DiscoveryDatagrams datagrams = new DiscoveryDatagrams(options.clusterId(), options.key());
        long deadline = System.nanoTime() + patience.toNanos();
        try (MulticastSocket socket = new MulticastSocket(0)) {
            NetworkInterface networkInterface = networkInterface(options);
            if (networkInterface != null) {
                socket.setNetworkInterface(networkInterface);
            }
            socket.setOption(StandardSocketOptions.IP_MULTICAST_TTL, options.hops());
            socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true); // members on this host hear it too
            Duration round = options.firstRound();
            for (int rounds = 1; ; rounds++) {
                Map<MemberId, PeerAddress> found = askOnce(socket, datagrams, options, round);
                if (!found.isEmpty()) {
                    LOG.info("Found {} on {} in round {}", found, groupOf(options), rounds);
                    return found;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new TransportException(
                            TransportException.Reason.PEER_UNREACHABLE,
                            "no member of cluster '" + options.clusterId() + "' answered on " + groupOf(options)
                                    + " via " + interfaceName(options) + " in " + rounds + " rounds over "
                                    + patience + " (is discovery on at the members, with the same cluster id and"
                                    + " key, and does this network carry multicast?)",
                            null);
                }
                LOG.warn(
                        "Nobody answered on {} via {} (round {}); asking again",
                        groupOf(options),
                        interfaceName(options),
                        rounds);
                Duration longest = options.firstRound().multipliedBy(10);
                round = round.multipliedBy(2).compareTo(longest) > 0 ? longest : round.multipliedBy(2);
                long left = deadline - System.nanoTime();
                if (round.toNanos() > left) {
                    round = Duration.ofNanos(Math.max(left, TimeUnit.MILLISECONDS.toNanos(1)));
                }
            }
        } catch (IOException failed) {
            throw new TransportException(
                    TransportException.Reason.BIND_FAILED,
                    "cannot multicast a discovery question on " + groupOf(options) + " via " + interfaceName(options)
                            + ": " + failed.getMessage(),
                    failed);
        }
    }

    /** Questions answered so far (each counted as its answer is sent). */
    public long questionsAnswered() {
        return answered.get();
    }

    /** Datagrams ignored so far: malformed, of another cluster or key, or a question answered before. */
    public long datagramsRejected() {
        return rejected.get();
    }

    /** Stops answering and releases the port; idempotent. Does not block. */
    @Override
    public void close() {
        socket.close(); // the blocked receive throws, and the thread ends
    }

    private static Map<MemberId, PeerAddress> askOnce(
            MulticastSocket socket, DiscoveryDatagrams datagrams, DiscoveryOptions options, Duration round)
            throws IOException {
        byte[] nonce = ClusterKeyAuth.nonce();
        byte[] question = datagrams.question(nonce);
        socket.send(new DatagramPacket(question, question.length, options.group()));
        Map<MemberId, PeerAddress> found = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        byte[] buffer = new byte[DiscoveryDatagrams.MAX_BYTES + 1];
        long roundEnds = System.nanoTime() + round.toNanos();
        for (long left = round.toNanos(); left > 0; left = roundEnds - System.nanoTime()) {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException roundOver) {
                break;
            }
            try {
                if (datagrams.read(buffer, packet.getLength()) instanceof DiscoveryDatagrams.Announcement announcement
                        && ByteBuffer.wrap(announcement.nonce()).equals(ByteBuffer.wrap(nonce))) {
                    found.putIfAbsent(announcement.member(), announcement.address());
                }
            } catch (DiscoveryDatagrams.Rejected stranger) {
                ignored.add(packet.getSocketAddress() + ": " + stranger.getMessage());
            }
        }
        if (!ignored.isEmpty()) {
            LOG.debug("Ignored while asking on {}: {}", groupOf(options), ignored);
        }
        return found;
    }

    private void answerQuestions() {
        DiscoveryDatagrams datagrams = new DiscoveryDatagrams(options.clusterId(), options.key());
        Set<ByteBuffer> recent = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
                return size() > REMEMBERED_QUESTIONS; // the oldest nonce goes first
            }
        });
        byte[] buffer = new byte[DiscoveryDatagrams.MAX_BYTES + 1];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                DiscoveryDatagrams.Message message = datagrams.read(buffer, packet.getLength());
                if (!(message instanceof DiscoveryDatagrams.Question question) || !answering.getAsBoolean()) {
                    continue; // announcements to other askers on this host; or not a member (yet)
                }
                ByteBuffer nonce = ByteBuffer.wrap(question.nonce());
                if (!recent.add(nonce)) {
                    rejected.incrementAndGet();
                    continue; // replayed: answered once already
                }
                byte[] answer = datagrams.announcement(question.nonce(), self, advertised);
                // Counted before it leaves: whoever reads the count after receiving the answer must see it.
                answered.incrementAndGet();
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (DiscoveryDatagrams.Rejected stranger) {
                rejected.incrementAndGet();
                LOG.debug("Discovery ignored a datagram from {}: {}", packet.getSocketAddress(), stranger.getMessage());
            } catch (SocketException closed) {
                if (!socket.isClosed()) {
                    LOG.warn("Discovery stopped answering on {}: {}", groupOf(options), closed.toString());
                }
                return;
            } catch (IOException | RuntimeException failed) {
                LOG.warn("Discovery could not answer on {}: {}", groupOf(options), failed.toString());
            }
        }
    }

    private static NetworkInterface networkInterface(DiscoveryOptions options) throws SocketException {
        if (options.networkInterface().isEmpty()) {
            return null;
        }
        String name = options.networkInterface().get();
        NetworkInterface found = NetworkInterface.getByName(name);
        if (found == null) {
            throw new SocketException("no network interface named '" + name + "'");
        }
        return found;
    }

    /** The group as an operator writes it: 239.255.77.1:7799. */
    private static String groupOf(DiscoveryOptions options) {
        return options.group().getHostString() + ":" + options.group().getPort();
    }

    private static String interfaceName(DiscoveryOptions options) {
        return options.networkInterface().orElse("the default interface");
    }
}
