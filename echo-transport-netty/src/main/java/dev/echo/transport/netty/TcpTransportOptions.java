package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.MessageCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Settings of a {@link NettyTcpTransport}. Immutable; built with {@link #builder}, which validates every value and
 * names the wrong one.
 *
 * @param self this member
 * @param incarnation this node's incarnation, sent in the handshake
 * @param clusterId peers with another cluster id are refused at the handshake
 * @param bind the local address to listen on (port 0: any free port, see {@link NettyTcpTransport#localAddress()})
 * @param peers where the other members listen
 * @param codec message limits: largest message, command and entry count
 * @param queueMessages most messages queued per peer
 * @param queueBytes most bytes queued per peer
 * @param connectTimeout how long one connection attempt may take
 * @param reconnectMin first delay before reconnecting; doubles per failure
 * @param reconnectMax longest delay before reconnecting
 * @param handshakeTimeout a connection that has not completed its handshake by then is closed
 * @param tls TLS credentials; empty for plain TCP
 * @param requireNameMatch with TLS: a peer certificate's common name must equal the member id its owner claims
 * @param ioThreads Netty event loop threads
 * @param clusterKey the cluster key that authenticates plain TCP connections and binds their frames (PROTOCOL.md
 *     §10); may also be given with TLS
 * @param unauthenticated plain TCP with neither TLS nor a key: anyone who knows the cluster id can connect. Only as an
 *     explicit opt-in ({@link Builder#allowUnauthenticated}), logged as a warning at start
 * @param linkTimeout a peer connection over which nothing has come back for this long (pings go every quarter of it)
 *     is closed and re-dialled, so a link that a partition left in TCP's retransmission back-off recovers promptly
 */
public record TcpTransportOptions(
        MemberId self,
        long incarnation,
        String clusterId,
        InetSocketAddress bind,
        Map<MemberId, PeerAddress> peers,
        MessageCodec codec,
        int queueMessages,
        long queueBytes,
        Duration connectTimeout,
        Duration reconnectMin,
        Duration reconnectMax,
        Duration handshakeTimeout,
        Optional<TlsCredentials> tls,
        boolean requireNameMatch,
        int ioThreads,
        Optional<ClusterKey> clusterKey,
        boolean unauthenticated,
        Duration linkTimeout) {

    /** Validates every setting. */
    public TcpTransportOptions {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(clusterKey, "clusterKey");
        peers = Map.copyOf(peers);
        MemberId.requireName(clusterId, "cluster id");
        require(incarnation >= 0, "incarnation must not be negative: " + incarnation);
        require(!peers.containsKey(self), "peers must not contain this member " + self);
        require(queueMessages >= 1, "queueMessages must be at least 1: " + queueMessages);
        require(queueBytes >= codec.maxMessageBytes(), "queueBytes must hold at least one largest message");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(reconnectMin, "reconnectMin");
        requirePositive(handshakeTimeout, "handshakeTimeout");
        require(reconnectMax.compareTo(reconnectMin) >= 0, "reconnectMax must be at least reconnectMin");
        require(ioThreads >= 1 && ioThreads <= 64, "ioThreads must be 1..64: " + ioThreads);
        boolean authenticated = tls.isPresent() || clusterKey.isPresent();
        require(
                authenticated || unauthenticated,
                "TCP needs TLS or a cluster key to authenticate peers (PROTOCOL.md §10); plain unauthenticated TCP"
                        + " only through allowUnauthenticated()");
        require(!(authenticated && unauthenticated), "allowUnauthenticated() contradicts TLS or a cluster key");
        requirePositive(linkTimeout, "linkTimeout");
        require(linkTimeout.toMillis() >= 40, "linkTimeout must be at least 40 ms: " + linkTimeout);
    }

    /** Whether peers are authenticated (TLS or a cluster key): only then may a stranger lead this member in. */
    public boolean authenticatesPeers() {
        return !unauthenticated;
    }

    /** A builder for {@code self} in cluster {@code clusterId}, listening on {@code bind}. */
    public static Builder builder(MemberId self, String clusterId, InetSocketAddress bind) {
        return new Builder(self, clusterId, bind);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    static void requirePositive(Duration duration, String name) {
        require(duration != null && !duration.isNegative() && !duration.isZero(), name + " must be positive");
    }

    /** Collects settings; {@link #build} validates them. Not thread-safe. */
    public static final class Builder {
        private final MemberId self;
        private final String clusterId;
        private final InetSocketAddress bind;
        private final Map<MemberId, PeerAddress> peers = new TreeMap<>();
        private long incarnation;
        private MessageCodec codec = MessageCodec.defaults();
        private int queueMessages = 8192;
        private long queueBytes = 64L << 20;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration reconnectMin = Duration.ofMillis(20);
        private Duration reconnectMax = Duration.ofSeconds(2);
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private TlsCredentials tls;
        private boolean requireNameMatch = true;
        private int ioThreads = 1;
        private ClusterKey clusterKey;
        private boolean unauthenticated;
        private Duration linkTimeout = Duration.ofSeconds(1);

        private Builder(MemberId self, String clusterId, InetSocketAddress bind) {
            this.self = self;
            this.clusterId = clusterId;
            this.bind = bind;
        }

        /** Where {@code member} listens. */
        public Builder peer(MemberId member, PeerAddress address) {
            peers.put(Objects.requireNonNull(member, "member"), Objects.requireNonNull(address, "address"));
            return this;
        }

        /** This node's incarnation (default 0). */
        public Builder incarnation(long value) {
            incarnation = value;
            return this;
        }

        /** Message limits (default: 1 MiB commands, 1024 entries, 8 MiB messages). */
        public Builder codec(MessageCodec value) {
            codec = value;
            return this;
        }

        /** Per-peer queue bounds (default 8192 messages, 64 MiB). */
        public Builder queue(int messages, long bytes) {
            queueMessages = messages;
            queueBytes = bytes;
            return this;
        }

        /** Reconnection delays (default 20 ms doubling to 2 s). */
        public Builder reconnect(Duration min, Duration max) {
            reconnectMin = min;
            reconnectMax = max;
            return this;
        }

        /** Connection attempt and handshake time limits (default 2 s and 5 s). */
        public Builder timeouts(Duration connect, Duration handshake) {
            connectTimeout = connect;
            handshakeTimeout = handshake;
            return this;
        }

        /** Use TLS 1.3 with mutual authentication. */
        public Builder tls(TlsCredentials credentials) {
            tls = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Authenticate peers with a shared cluster key (and bind every frame to it); needed unless TLS is used. */
        public Builder clusterKey(ClusterKey key) {
            clusterKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Plain TCP without TLS or a key: any process that knows the cluster id can connect and speak as a member it
         * names. Only for tests and closed networks; logged as a warning when the transport starts.
         */
        public Builder allowUnauthenticated() {
            unauthenticated = true;
            return this;
        }

        /** How long a peer link may stay silent before it is re-dialled (default 1 s; pings every quarter of it). */
        public Builder linkTimeout(Duration value) {
            linkTimeout = value;
            return this;
        }

        /** Whether a TLS peer's certificate common name must equal its member id (default true). */
        public Builder requireNameMatch(boolean value) {
            requireNameMatch = value;
            return this;
        }

        /**
         * Netty event loop threads (default 1). A node runs its group loops on them by default ({@code
         * EchoNode.Builder.loopsOnTransportThreads}), loop {@code i} on event loop {@code i mod ioThreads}.
         */
        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        /** Validates and builds. */
        public TcpTransportOptions build() {
            return new TcpTransportOptions(
                    self,
                    incarnation,
                    clusterId,
                    bind,
                    peers,
                    codec,
                    queueMessages,
                    queueBytes,
                    connectTimeout,
                    reconnectMin,
                    reconnectMax,
                    handshakeTimeout,
                    Optional.ofNullable(tls),
                    requireNameMatch,
                    ioThreads,
                    Optional.ofNullable(clusterKey),
                    unauthenticated,
                    linkTimeout);
        }
    }
}
