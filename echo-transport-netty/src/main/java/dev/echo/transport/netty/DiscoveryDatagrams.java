package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * The two datagrams of LAN discovery (PROTOCOL.md §8, "Discovery"): a machine looking for its cluster multicasts a
 * {@link Question} with a fresh nonce; every member that hears it answers the asker with an {@link Announcement} of
 * its id and advertised address, repeating the nonce. Both are tagged with HMAC-SHA256 under the cluster key, so a
 * stranger can neither ask (members stay silent to it) nor answer, and an answer cannot be replayed into another
 * search.
 *
 * <pre>
 * magic "ECHD" | version 1 | kind (1 question, 2 announcement) | nonce 16 | cluster id (length byte, ASCII)
 *   [announcement: member id (length byte, ASCII) | host (length byte, UTF-8) | port u16]
 *   | tag 32 = HMAC-SHA256(cluster key, "echo-discovery" | everything before the tag)
 * </pre>
 *
 * <p>Stateless apart from the key; each instance is used by one thread ({@link Mac} is not thread-safe).
 */
final class DiscoveryDatagrams {
    static final int NONCE_BYTES = ClusterKeyAuth.NONCE_BYTES;
    /** Far below any path's MTU: a cluster id, a member id and a host name of at most 255 bytes each fit. */
    static final int MAX_BYTES = 1024;

    private static final int MAGIC = 0x45434844; // "ECHD"
    private static final byte VERSION = 1;
    private static final byte QUESTION = 1;
    private static final byte ANNOUNCEMENT = 2;
    private static final int TAG_BYTES = 32;
    private static final byte[] LABEL = "echo-discovery".getBytes(StandardCharsets.US_ASCII);

    private final String clusterId;
    private final Mac mac;

    DiscoveryDatagrams(String clusterId, ClusterKey key) {
        this.clusterId = clusterId;
        this.mac = ClusterKeyAuth.macWithKey(key.toBytes());
    }

    /** A search's question. */
    record Question(byte[] nonce) implements Message {}

    /** A member's answer to the question that carried {@code nonce}. */
    record Announcement(byte[] nonce, MemberId member, PeerAddress address) implements Message {}

    /** A datagram this cluster's discovery understands. */
    sealed interface Message permits Question, Announcement {}

    /** A datagram that is not one of this cluster's: why, for the log. No stack trace: strangers send these. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    byte[] question(byte[] nonce) {
        ByteBuffer out = header(QUESTION, nonce);
        return sealed(out);
    }

    byte[] announcement(byte[] nonce, MemberId member, PeerAddress address) {
        ByteBuffer out = header(ANNOUNCEMENT, nonce);
        putShortString(out, member.value().getBytes(StandardCharsets.US_ASCII));
        putShortString(out, address.host().getBytes(StandardCharsets.UTF_8));
        out.putShort((short) address.port());
        return sealed(out);
    }

    /**
     * Reads {@code length} bytes of {@code datagram}.
     *
     * @throws Rejected if it is malformed, of another version or cluster, or not tagged under this cluster's key
     */
    Message read(byte[] datagram, int length) throws Rejected {
        if (length < 4 + 1 + 1 + NONCE_BYTES + 1 + TAG_BYTES || length > MAX_BYTES) {
            throw new Rejected("a datagram of " + length + " bytes is not a discovery message");
        }
        ByteBuffer in = ByteBuffer.wrap(datagram, 0, length - TAG_BYTES);
        try {
            if (in.getInt() != MAGIC) {
                throw new Rejected("not a discovery message (magic)");
            }
            byte version = in.get();
            if (version != VERSION) {
                throw new Rejected("discovery version " + version + ", this member speaks " + VERSION);
            }
            byte kind = in.get();
            byte[] nonce = new byte[NONCE_BYTES];
            in.get(nonce);
            String cluster = new String(shortString(in), StandardCharsets.US_ASCII);
            if (!cluster.equals(clusterId)) {
                throw new Rejected("a message of cluster '" + cluster + "'");
            }
            Message message;
            if (kind == QUESTION) {
                message = new Question(nonce);
            } else if (kind == ANNOUNCEMENT) {
                MemberId member = MemberId.of(new String(shortString(in), StandardCharsets.US_ASCII));
                String host = new String(shortString(in), StandardCharsets.UTF_8);
                message = new Announcement(nonce, member, new PeerAddress(host, Short.toUnsignedInt(in.getShort())));
            } else {
                throw new Rejected("unknown discovery message kind " + kind);
            }
            if (in.hasRemaining()) {
                throw new Rejected(in.remaining() + " bytes after the message");
            }
            byte[] expected = tag(datagram, length - TAG_BYTES);
            byte[] received = Arrays.copyOfRange(datagram, length - TAG_BYTES, length);
            if (!ClusterKeyAuth.matches(expected, received)) {
                throw new Rejected("not tagged under this cluster's key");
            }
            return message;
        } catch (BufferUnderflowException | IllegalArgumentException malformed) {
            throw new Rejected("malformed discovery message: " + malformed);
        }
    }

    private ByteBuffer header(byte kind, byte[] nonce) {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("a nonce has " + NONCE_BYTES + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate(MAX_BYTES);
        out.putInt(MAGIC).put(VERSION).put(kind).put(nonce);
        putShortString(out, clusterId.getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    private byte[] sealed(ByteBuffer out) {
        int length = out.position();
        byte[] bytes = Arrays.copyOf(out.array(), length + TAG_BYTES);
        System.arraycopy(tag(bytes, length), 0, bytes, length, TAG_BYTES);
        return bytes;
    }

    private byte[] tag(byte[] bytes, int length) {
        mac.update(LABEL);
        mac.update(bytes, 0, length);
        return mac.doFinal();
    }

    private static void putShortString(ByteBuffer out, byte[] bytes) {
        if (bytes.length > 255) {
            throw new IllegalArgumentException("at most 255 bytes: " + bytes.length);
        }
        out.put((byte) bytes.length).put(bytes);
    }

    private static byte[] shortString(ByteBuffer in) {
        byte[] bytes = new byte[Byte.toUnsignedInt(in.get())];
        in.get(bytes);
        return bytes;
    }
}
