package dev.echo.transport.netty;

import static dev.echo.transport.netty.TcpTransportOptions.require;
import static dev.echo.transport.netty.TcpTransportOptions.requirePositive;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.MessageCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Settings of a {@link NettyUdpTransport}. Immutable; built with {@link #builder}, which validates every value and
 * names the wrong one. The cluster key is copied in and never exposed.
 *
 * @param self this member
 * @param bind the local address to listen on (port 0: any free port)
 * @param peers where the other members listen
 * @param codec message limits; its largest message plus {@link Datagrams#OVERHEAD} must fit in one UDP datagram
 * @param queueMessages most datagrams waiting for the socket
 * @param queueBytes most bytes waiting for the socket
 * @param replayHorizon how long a sender must stay silent before datagrams from an earlier life of it (a lower boot
 *     number, as after a clock step backwards) are accepted again
 * @param clusterKey the shared secret every datagram is authenticated with (HMAC-SHA256), at least 16 bytes
 */
public record UdpTransportOptions(
        MemberId self,
        InetSocketAddress bind,
        Map<MemberId, PeerAddress> peers,
        MessageCodec codec,
        int queueMessages,
        long queueBytes,
        Duration replayHorizon,
        byte[] clusterKey) {
    /** Largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;

    /** Validates every setting and copies the key. */
    public UdpTransportOptions {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(clusterKey, "clusterKey");
        peers = Map.copyOf(peers);
        clusterKey = clusterKey.clone();
        require(clusterKey.length >= 16, "clusterKey must have at least 16 bytes, has " + clusterKey.length);
        require(!peers.containsKey(self), "peers must not contain this member " + self);
        require(
                codec.maxMessageBytes() + Datagrams.OVERHEAD <= MAX_DATAGRAM,
                "maxMessageBytes " + codec.maxMessageBytes() + " plus " + Datagrams.OVERHEAD
                        + " bytes of datagram header and MAC exceeds " + MAX_DATAGRAM);
        require(queueMessages >= 1, "queueMessages must be at least 1: " + queueMessages);
        require(queueBytes >= codec.maxMessageBytes(), "queueBytes must hold at least one largest message");
        requirePositive(replayHorizon, "replayHorizon");
    }

    @Override
    public byte[] clusterKey() {
        return clusterKey.clone();
    }

    @Override
    public String toString() {
        return "UdpTransportOptions[self=" + self + ", bind=" + bind + ", peers=" + peers + ", key=(hidden)]";
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /** A builder for {@code self} listening on {@code bind}, authenticating with {@code clusterKey}. */
    public static Builder builder(MemberId self, InetSocketAddress bind, byte[] clusterKey) {
        return new Builder(self, bind, clusterKey);
    }

    /** Collects settings; {@link #build} validates them. Not thread-safe. */
    public static final class Builder {
        private final MemberId self;
        private final InetSocketAddress bind;
        private final byte[] clusterKey;
        private final Map<MemberId, PeerAddress> peers = new TreeMap<>();
        private MessageCodec codec = new MessageCodec(32 << 10, 256, 64_000);
        private int queueMessages = 8192;
        private long queueBytes = 32L << 20;
        private Duration replayHorizon = Duration.ofSeconds(30);

        private Builder(MemberId self, InetSocketAddress bind, byte[] clusterKey) {
            this.self = self;
            this.bind = bind;
            this.clusterKey = clusterKey == null ? null : clusterKey.clone();
        }

        /** Where {@code member} listens. */
        public Builder peer(MemberId member, PeerAddress address) {
            peers.put(Objects.requireNonNull(member, "member"), Objects.requireNonNull(address, "address"));
            return this;
        }

        /** Message limits (default: 32 KiB commands, 256 entries, 64,000-byte messages). */
        public Builder codec(MessageCodec value) {
            codec = value;
            return this;
        }

        /** Outbound queue bounds (default 8192 datagrams, 32 MiB). */
        public Builder queue(int messages, long bytes) {
            queueMessages = messages;
            queueBytes = bytes;
            return this;
        }

        /** Silence after which an earlier life of a sender is accepted again (default 30 s). */
        public Builder replayHorizon(Duration value) {
            replayHorizon = value;
            return this;
        }

        /** Validates and builds. */
        public UdpTransportOptions build() {
            return new UdpTransportOptions(
                    self, bind, peers, codec, queueMessages, queueBytes, replayHorizon, clusterKey);
        }
    }
}
