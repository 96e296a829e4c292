package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The first frame each way on a TCP connection (PROTOCOL.md §10): the connecting side says who it is and whom it wants
 * to reach (or that it asks who listens there); the accepting side answers with who it is, or with a refusal and a
 * reason. Nothing else is read from a
 * connection before the handshake succeeds, so no message from an unidentified peer reaches the core.
 *
 * <p>Format: {@code "ECHO" [kind] ...}; strings are a length byte and ASCII. Immutable values; static codec methods
 * are thread-safe.
 */
sealed interface Handshake {
    int MAGIC = 0x4543484F; // "ECHO"
    byte HELLO = 1;
    byte WELCOME = 2;
    byte REFUSAL = 3;
    byte PROOF = 4;
    int MAX_REASON = 200;
    int NONCE = ClusterKeyAuth.NONCE_BYTES;

    /**
     * The connecting side's introduction.
     *
     * @param wireVersion the {@link MessageCodec#VERSION} it speaks
     * @param clusterId its cluster
     * @param member its member id
     * @param incarnation its node incarnation
     * @param target the member it means to reach; empty when it asks whoever listens at the address who it is (a seed
     *     given as a bare address, PROTOCOL.md §8), encoded as a zero-length id
     * @param nonce {@link ClusterKeyAuth#NONCE_BYTES} fresh random bytes, for the cluster-key proofs
     */
    record Hello(
            byte wireVersion,
            String clusterId,
            MemberId member,
            long incarnation,
            Optional<MemberId> target,
            byte[] nonce)
            implements Handshake {}

    /**
     * The accepting side's answer when the hello is acceptable.
     *
     * @param member its member id
     * @param incarnation its node incarnation
     * @param nonce its fresh random bytes
     * @param proof with a cluster key: its {@link ClusterKeyAuth#serverProof}; otherwise empty
     */
    record Welcome(MemberId member, long incarnation, byte[] nonce, byte[] proof) implements Handshake {}

    /**
     * The connecting side's proof that it holds the cluster key, sent after a welcome that carried one.
     *
     * @param proof its {@link ClusterKeyAuth#clientProof}
     */
    record Proof(byte[] proof) implements Handshake {}

    /**
     * The accepting side's answer when it is not; the connection is closed after it.
     *
     * @param reason a short human-readable reason
     */
    record Refusal(String reason) implements Handshake {}

    static void write(Handshake handshake, ByteBuf out) {
        out.writeInt(MAGIC);
        if (handshake instanceof Hello hello) {
            out.writeByte(HELLO).writeByte(hello.wireVersion());
            writeString(hello.clusterId(), out);
            writeString(hello.member().value(), out);
            out.writeLong(hello.incarnation());
            writeString(hello.target().map(MemberId::value).orElse(""), out);
            out.writeBytes(hello.nonce());
        } else if (handshake instanceof Welcome welcome) {
            out.writeByte(WELCOME);
            writeString(welcome.member().value(), out);
            out.writeLong(welcome.incarnation());
            out.writeBytes(welcome.nonce());
            out.writeByte(welcome.proof().length).writeBytes(welcome.proof());
        } else if (handshake instanceof Proof proof) {
            out.writeByte(PROOF).writeBytes(proof.proof());
        } else {
            out.writeByte(REFUSAL);
            String reason = ((Refusal) handshake).reason();
            writeString(reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason, out);
        }
    }

    /** Reads one handshake that fills {@code in}; anything else is a typed error. */
    static Handshake read(ByteBuf in) throws CodecException {
        need(in, 5, "handshake header");
        if (in.readInt() != MAGIC) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "not an Echo handshake (bad magic)");
        }
        byte kind = in.readByte();
        Handshake handshake;
        switch (kind) {
            case HELLO:
                need(in, 1, "wire version");
                byte version = in.readByte();
                String cluster = readString(in, "cluster id");
                MemberId member = readMember(in);
                need(in, 8, "incarnation");
                long incarnation = in.readLong();
                Optional<MemberId> target = readTarget(in);
                handshake = new Hello(version, cluster, member, incarnation, target, readBytes(in, NONCE, "nonce"));
                break;
            case WELCOME:
                MemberId accepted = readMember(in);
                need(in, 8, "incarnation");
                long acceptedIncarnation = in.readLong();
                byte[] nonce = readBytes(in, NONCE, "nonce");
                need(in, 1, "proof length");
                int proofLength = in.readUnsignedByte();
                if (proofLength != 0 && proofLength != ClusterKeyAuth.PROOF_BYTES) {
                    throw new CodecException(CodecException.Reason.INVALID_VALUE, "proof of " + proofLength + " bytes");
                }
                handshake = new Welcome(accepted, acceptedIncarnation, nonce, readBytes(in, proofLength, "proof"));
                break;
            case PROOF:
                handshake = new Proof(readBytes(in, ClusterKeyAuth.PROOF_BYTES, "proof"));
                break;
            case REFUSAL:
                handshake = new Refusal(readString(in, "reason"));
                break;
            default:
                throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "handshake kind " + kind);
        }
        if (in.isReadable()) {
            throw new CodecException(
                    CodecException.Reason.TRAILING_BYTES, in.readableBytes() + " bytes after the handshake");
        }
        return handshake;
    }

    private static byte[] readBytes(ByteBuf in, int length, String field) throws CodecException {
        need(in, length, field);
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    private static MemberId readMember(ByteBuf in) throws CodecException {
        String value = readString(in, "member id");
        try {
            return MemberId.of(value);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
    }

    private static Optional<MemberId> readTarget(ByteBuf in) throws CodecException {
        if (in.isReadable() && in.getUnsignedByte(in.readerIndex()) == 0) {
            in.skipBytes(1);
            return Optional.empty();
        }
        return Optional.of(readMember(in));
    }

    private static void writeString(String value, ByteBuf out) {
        byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
        out.writeByte(ascii.length).writeBytes(ascii);
    }

    private static String readString(ByteBuf in, String field) throws CodecException {
        need(in, 1, field + " length");
        int length = in.readUnsignedByte();
        need(in, length, field);
        byte[] ascii = new byte[length];
        in.readBytes(ascii);
        for (byte b : ascii) {
            if (b < 0x20 || b > 0x7e) {
                throw new CodecException(CodecException.Reason.INVALID_VALUE, field + " is not printable ASCII");
            }
        }
        return new String(ascii, StandardCharsets.US_ASCII);
    }

    private static void need(ByteBuf in, int bytes, String field) throws CodecException {
        if (in.readableBytes() < bytes) {
            throw new CodecException(
                    CodecException.Reason.TRUNCATED,
                    field + " needs " + bytes + " bytes, " + in.readableBytes() + " left");
        }
    }
}
