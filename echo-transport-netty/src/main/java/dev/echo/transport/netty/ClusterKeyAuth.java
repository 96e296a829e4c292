package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster-key mode of the TCP handshake (PROTOCOL.md §10), for clusters that do not use TLS. Each side sends a
 * fresh random nonce; each proves it holds the cluster key with an HMAC-SHA256 over both nonces, the cluster id and
 * both member ids, under a label of its role, so no proof can be replayed on another connection or reflected back. The
 * connection is then bound to the key: every later frame carries a tag under a session key derived from the same
 * transcript, one per direction ({@link FrameSealer}, {@link FrameOpener}).
 *
 * <p>Stateless apart from the key; thread-safe ({@link Mac} instances are made per use or per connection).
 */
final class ClusterKeyAuth {
    static final int NONCE_BYTES = 16;
    static final int PROOF_BYTES = 32;
    private static final String HMAC = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    ClusterKeyAuth(byte[] key) {
        this.key = key.clone();
    }

    static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The connecting side's proof. */
    byte[] clientProof(Transcript transcript) {
        return mac(key, "echo-client-proof", transcript);
    }

    /** The accepting side's proof. */
    byte[] serverProof(Transcript transcript) {
        return mac(key, "echo-server-proof", transcript);
    }

    /** A fresh MAC keyed for frames from the connecting side to the accepting one on this connection. */
    Mac clientToServer(Transcript transcript) {
        return macWithKey(mac(key, "echo-frames-client-to-server", transcript));
    }

    /** A fresh MAC keyed for frames from the accepting side to the connecting one on this connection. */
    Mac serverToClient(Transcript transcript) {
        return macWithKey(mac(key, "echo-frames-server-to-client", transcript));
    }

    /** Compares a received proof with the expected one in constant time. */
    static boolean matches(byte[] expected, byte[] received) {
        return received != null && MessageDigest.isEqual(expected, received);
    }

    /**
     * What both proofs and session keys are bound to: the cluster, who connects to whom, and both nonces.
     *
     * @param clusterId the cluster id both sides agreed on
     * @param client the connecting member
     * @param server the accepting member
     * @param clientNonce the connecting side's nonce
     * @param serverNonce the accepting side's nonce
     */
    record Transcript(String clusterId, MemberId client, MemberId server, byte[] clientNonce, byte[] serverNonce) {
        byte[] bytes() {
            byte[] cluster = clusterId.getBytes(StandardCharsets.US_ASCII);
            byte[] from = client.value().getBytes(StandardCharsets.US_ASCII);
            byte[] to = server.value().getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[3 + cluster.length + from.length + to.length + 2 * NONCE_BYTES];
            int at = 0;
            for (byte[] part : new byte[][] {cluster, from, to}) {
                out[at++] = (byte) part.length; // length-prefixed, so no two transcripts read the same
                System.arraycopy(part, 0, out, at, part.length);
                at += part.length;
            }
            System.arraycopy(clientNonce, 0, out, at, NONCE_BYTES);
            System.arraycopy(serverNonce, 0, out, at + NONCE_BYTES, NONCE_BYTES);
            return out;
        }
    }

    private static byte[] mac(byte[] key, String label, Transcript transcript) {
        Mac mac = macWithKey(key);
        mac.update(label.getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal(transcript.bytes());
    }

    /** A fresh HMAC-SHA256 keyed with {@code key}: every MAC of the cluster key's modes starts here. */
    static Mac macWithKey(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", unavailable);
        }
    }
}
