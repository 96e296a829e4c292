package dev.echo.core.codec;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.transport.Envelope;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of an {@link Envelope} (ARCHITECTURE.md "Formats"):
 * {@code [version][type][group][from][incarnation][term] body}. Transports add their own framing around it (a length
 * prefix on TCP, a MAC on UDP). Entries use {@link EntryCodec}, so an entry has one encoding on disk and on the wire.
 *
 * <p>Every count and length is checked against this codec's limits and against the bytes actually present before
 * anything is allocated, so a hostile peer cannot make a decoder allocate more than the frame it sent. Unknown
 * versions and types are refused with a typed {@link CodecException}; no reflection or Java serialization is used.
 *
 * <p>Immutable and thread-safe.
 */
public final class MessageCodec {
    /** The wire format version this build writes and reads (2: configurations record each voter's incarnation). */
    public static final byte VERSION = 2;

    private static final byte PRE_VOTE_REQUEST = 1;
    private static final byte PRE_VOTE_RESPONSE = 2;
    private static final byte VOTE_REQUEST = 3;
    private static final byte VOTE_RESPONSE = 4;
    private static final byte APPEND_REQUEST = 5;
    private static final byte APPEND_RESPONSE = 6;
    private static final byte TIMEOUT_NOW = 7;
    private static final byte FORWARD_REQUEST = 8;
    private static final byte READ_INDEX_REQUEST = 9;
    private static final byte READ_INDEX_RESPONSE = 10;
    private static final byte MEMBERSHIP_REQUEST = 11;
    private static final byte MEMBERSHIP_RESPONSE = 12;
    private static final byte INSTALL_SNAPSHOT = 13;
    private static final byte INSTALL_SNAPSHOT_RESPONSE = 14;
    private static final byte ADD_VOTER = 1;
    private static final byte ADD_LEARNER = 2;
    private static final byte REMOVE = 3;
    private static final byte MAKE_TOP = 4;

    /** Smallest encoded entry: index, term and a one-byte payload tag; bounds an entry count by the bytes present. */
    private static final int MIN_ENTRY_BYTES = 17;

    private final EntryCodec entries;
    private final int maxEntriesPerMessage;
    private final int maxMessageBytes;

    /**
     * Creates a codec.
     *
     * @param maxCommandBytes largest application command in an entry or forwarded request
     * @param maxEntriesPerMessage most entries in one AppendRequest
     * @param maxMessageBytes largest encoded envelope, encoded or decoded
     */
    public MessageCodec(int maxCommandBytes, int maxEntriesPerMessage, int maxMessageBytes) {
        if (maxEntriesPerMessage < 1) {
            throw new IllegalArgumentException("maxEntriesPerMessage must be at least 1: " + maxEntriesPerMessage);
        }
        if (maxMessageBytes < 256) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 256: " + maxMessageBytes);
        }
        this.entries = new EntryCodec(maxCommandBytes);
        this.maxEntriesPerMessage = maxEntriesPerMessage;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The largest encoded envelope this codec writes or reads. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** The largest application command in an entry or forwarded request. */
    public int maxCommandBytes() {
        return entries.maxCommandBytes();
    }

    /** Most entries in one AppendRequest. */
    public int maxEntriesPerMessage() {
        return maxEntriesPerMessage;
    }

    /** Exact encoded size of {@code envelope}; may exceed {@link #maxMessageBytes()} (then it cannot be sent). */
    public int encodedSize(Envelope envelope) {
        Message message = envelope.message();
        int header = 2 + 1 + envelope.group().length() + EntryCodec.memberIdSize(message.from()) + 8 + 8;
        return header + bodySize(message);
    }

    /**
     * Writes {@code envelope}; {@code out} must have {@link #encodedSize} bytes remaining.
     *
     * @throws IllegalArgumentException if the envelope is larger than {@link #maxMessageBytes()} or holds a command
     *     larger than the codec's command limit
     */
    public void encode(Envelope envelope, ByteBuffer out) {
        encode(envelope, encodedSize(envelope), out);
    }

    /**
     * Writes {@code envelope}, whose {@link #encodedSize} the caller computed already to size {@code out}: a
     * transport's send path measures each message once, not twice.
     *
     * @param size {@code encodedSize(envelope)}
     * @throws IllegalArgumentException as {@link #encode(Envelope, ByteBuffer)}
     */
    public void encode(Envelope envelope, int size, ByteBuffer out) {
        if (size > maxMessageBytes) {
            throw new IllegalArgumentException("message of " + size + " bytes exceeds " + maxMessageBytes);
        }
        Message message = envelope.message();
        out.put(VERSION).put(typeOf(message));
        out.put((byte) envelope.group().length()).put(envelope.group().getBytes(StandardCharsets.US_ASCII));
        EntryCodec.writeMemberId(message.from(), out);
        out.putLong(envelope.incarnation()).putLong(message.term());
        writeBody(message, out);
    }

    /**
     * Reads one envelope that fills {@code in} exactly.
     *
     * @throws CodecException for anything but a complete, valid envelope within this codec's limits
     */
    public Envelope decode(ByteBuffer in) throws CodecException {
        if (in.remaining() > maxMessageBytes) {
            throw new CodecException(
                    CodecException.Reason.OVERSIZED,
                    "message of " + in.remaining() + " bytes exceeds " + maxMessageBytes);
        }
        byte version = Bounded.getByte(in, "version");
        if (version != VERSION) {
            throw new CodecException(CodecException.Reason.UNSUPPORTED_VERSION, "wire version " + version);
        }
        byte type = Bounded.getByte(in, "message type");
        String group = readGroupName(in);
        MemberId from = EntryCodec.readMemberId(in);
        long incarnation = Bounded.getInDomain(in, "incarnation");
        long term = Bounded.getInDomain(in, "term");
        Message message;
        try {
            message = readBody(type, from, term, in);
        } catch (BufferUnderflowException | IllegalArgumentException invalid) {
            // Record constructors validate too; their refusals are bad input like any other.
            throw new CodecException(CodecException.Reason.INVALID_VALUE, String.valueOf(invalid.getMessage()));
        }
        EntryCodec.requireFullyRead(in, "message");
        return new Envelope(group, incarnation, message);
    }

    private int bodySize(Message message) {
        if (message instanceof Message.PreVoteRequest) {
            return 16;
        }
        if (message instanceof Message.VoteRequest) {
            return 17;
        }
        if (message instanceof Message.PreVoteResponse || message instanceof Message.VoteResponse) {
            return 1;
        }
        if (message instanceof Message.AppendRequest append) {
            int size = 32 + 4;
            for (Entry entry : append.entries()) {
                size += entries.entrySize(entry);
            }
            return size;
        }
        if (message instanceof Message.AppendResponse) {
            return 1 + 32;
        }
        if (message instanceof Message.TimeoutNow) {
            return 0;
        }
        if (message instanceof Message.ForwardRequest forward) {
            return entries.payloadSize(forward.payload());
        }
        if (message instanceof Message.ReadIndexRequest) {
            return 8;
        }
        if (message instanceof Message.MembershipRequest request) {
            int weight = request.change() instanceof MembershipChange.AddVoter ? 4 : 0;
            return 8 + 1 + EntryCodec.memberIdSize(request.change().member()) + weight;
        }
        if (message instanceof Message.MembershipResponse) {
            return 8 + 1 + 8;
        }
        if (message instanceof Message.InstallSnapshot chunk) {
            return 8 + 8 + 8 + 1 + EntryCodec.quorumSystemSize(chunk.configuration()) + 4 + chunk.data().length;
        }
        if (message instanceof Message.InstallSnapshotResponse) {
            return 8 + 8 + 1;
        }
        return 16; // ReadIndexResponse
    }

    private static byte typeOf(Message message) {
        if (message instanceof Message.PreVoteRequest) {
            return PRE_VOTE_REQUEST;
        }
        if (message instanceof Message.PreVoteResponse) {
            return PRE_VOTE_RESPONSE;
        }
        if (message instanceof Message.VoteRequest) {
            return VOTE_REQUEST;
        }
        if (message instanceof Message.VoteResponse) {
            return VOTE_RESPONSE;
        }
        if (message instanceof Message.AppendRequest) {
            return APPEND_REQUEST;
        }
        if (message instanceof Message.AppendResponse) {
            return APPEND_RESPONSE;
        }
        if (message instanceof Message.TimeoutNow) {
            return TIMEOUT_NOW;
        }
        if (message instanceof Message.ForwardRequest) {
            return FORWARD_REQUEST;
        }
        if (message instanceof Message.ReadIndexRequest) {
            return READ_INDEX_REQUEST;
        }
        if (message instanceof Message.MembershipRequest) {
            return MEMBERSHIP_REQUEST;
        }
        if (message instanceof Message.MembershipResponse) {
            return MEMBERSHIP_RESPONSE;
        }
        if (message instanceof Message.InstallSnapshot) {
            return INSTALL_SNAPSHOT;
        }
        if (message instanceof Message.InstallSnapshotResponse) {
            return INSTALL_SNAPSHOT_RESPONSE;
        }
        return READ_INDEX_RESPONSE;
    }

    private void writeBody(Message message, ByteBuffer out) {
        if (message instanceof Message.PreVoteRequest request) {
            out.putLong(request.lastLogIndex()).putLong(request.lastLogTerm());
        } else if (message instanceof Message.PreVoteResponse response) {
            putBoolean(out, response.granted());
        } else if (message instanceof Message.VoteRequest request) {
            out.putLong(request.lastLogIndex()).putLong(request.lastLogTerm());
            putBoolean(out, request.leadershipTransfer());
        } else if (message instanceof Message.VoteResponse response) {
            putBoolean(out, response.granted());
        } else if (message instanceof Message.AppendRequest append) {
            out.putLong(append.prevIndex())
                    .putLong(append.prevTerm())
                    .putLong(append.commitIndex())
                    .putLong(append.readRound());
            out.putInt(append.entries().size());
            for (Entry entry : append.entries()) {
                entries.writeEntry(entry, out);
            }
        } else if (message instanceof Message.AppendResponse response) {
            putBoolean(out, response.success());
            out.putLong(response.matchIndex())
                    .putLong(response.conflictIndex())
                    .putLong(response.conflictTerm())
                    .putLong(response.readRound());
        } else if (message instanceof Message.ForwardRequest forward) {
            entries.writePayload(forward.payload(), out);
        } else if (message instanceof Message.ReadIndexRequest request) {
            out.putLong(request.readId());
        } else if (message instanceof Message.ReadIndexResponse response) {
            out.putLong(response.readId()).putLong(response.readIndex());
        } else if (message instanceof Message.MembershipRequest request) {
            out.putLong(request.requestId());
            writeChange(request.change(), out);
        } else if (message instanceof Message.MembershipResponse response) {
            out.putLong(response.requestId());
            out.put(resultCode(response.result()));
            out.putLong(response.index());
        } else if (message instanceof Message.InstallSnapshot chunk) {
            out.putLong(chunk.index()).putLong(chunk.snapshotTerm()).putLong(chunk.offset());
            putBoolean(out, chunk.last());
            EntryCodec.writeQuorumSystem(chunk.configuration(), out);
            out.putInt(chunk.data().length).put(chunk.data());
        } else if (message instanceof Message.InstallSnapshotResponse response) {
            out.putLong(response.index()).putLong(response.nextOffset());
            putBoolean(out, response.complete());
        }
        // TimeoutNow has no body.
    }

    private Message readBody(byte type, MemberId from, long term, ByteBuffer in) throws CodecException {
        switch (type) {
            case PRE_VOTE_REQUEST:
                return new Message.PreVoteRequest(from, term, index(in, "last index"), index(in, "last term"));
            case PRE_VOTE_RESPONSE:
                return new Message.PreVoteResponse(from, term, getBoolean(in, "granted"));
            case VOTE_REQUEST:
                return new Message.VoteRequest(
                        from, term, index(in, "last index"), index(in, "last term"), getBoolean(in, "transfer"));
            case VOTE_RESPONSE:
                return new Message.VoteResponse(from, term, getBoolean(in, "granted"));
            case APPEND_REQUEST:
                return readAppendRequest(from, term, in);
            case APPEND_RESPONSE:
                return new Message.AppendResponse(
                        from,
                        term,
                        getBoolean(in, "success"),
                        index(in, "match index"),
                        index(in, "conflict index"),
                        index(in, "conflict term"),
                        index(in, "read round"));
            case TIMEOUT_NOW:
                return new Message.TimeoutNow(from, term);
            case FORWARD_REQUEST:
                return new Message.ForwardRequest(from, term, entries.readPayload(in));
            case READ_INDEX_REQUEST:
                return new Message.ReadIndexRequest(from, term, Bounded.getLong(in, "read id"));
            case READ_INDEX_RESPONSE:
                return new Message.ReadIndexResponse(
                        from, term, Bounded.getLong(in, "read id"), index(in, "read index"));
            case MEMBERSHIP_REQUEST:
                return new Message.MembershipRequest(from, term, Bounded.getLong(in, "request id"), readChange(in));
            case MEMBERSHIP_RESPONSE:
                return new Message.MembershipResponse(
                        from, term, Bounded.getLong(in, "request id"), readResult(in), index(in, "index"));
            case INSTALL_SNAPSHOT:
                return readInstallSnapshot(from, term, in);
            case INSTALL_SNAPSHOT_RESPONSE:
                return new Message.InstallSnapshotResponse(
                        from, term, index(in, "snapshot index"), index(in, "next offset"), getBoolean(in, "complete"));
            default:
                throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "message type " + type);
        }
    }

    private Message.InstallSnapshot readInstallSnapshot(MemberId from, long term, ByteBuffer in) throws CodecException {
        long index = index(in, "snapshot index");
        long snapshotTerm = index(in, "snapshot term");
        long offset = index(in, "offset");
        boolean last = getBoolean(in, "last");
        QuorumSystem configuration = EntryCodec.readQuorumSystem(in);
        int length = Bounded.getInt(in, "chunk length");
        if (length < 0 || length > in.remaining()) {
            throw new CodecException(
                    CodecException.Reason.INVALID_VALUE,
                    "snapshot chunk of " + length + " bytes with " + in.remaining() + " left");
        }
        byte[] data = new byte[length];
        in.get(data);
        return new Message.InstallSnapshot(from, term, index, snapshotTerm, configuration, offset, data, last);
    }

    private static void writeChange(MembershipChange change, ByteBuffer out) {
        if (change instanceof MembershipChange.AddVoter add) {
            out.put(ADD_VOTER);
            EntryCodec.writeMemberId(add.member(), out);
            out.putInt(add.weight());
        } else {
            out.put(
                    change instanceof MembershipChange.AddLearner
                            ? ADD_LEARNER
                            : change instanceof MembershipChange.Remove ? REMOVE : MAKE_TOP);
            EntryCodec.writeMemberId(change.member(), out);
        }
    }

    private static MembershipChange readChange(ByteBuffer in) throws CodecException {
        byte kind = Bounded.getByte(in, "membership change kind");
        MemberId member = EntryCodec.readMemberId(in);
        return switch (kind) {
            case ADD_VOTER -> new MembershipChange.AddVoter(member, Bounded.getInt(in, "weight"));
            case ADD_LEARNER -> new MembershipChange.AddLearner(member);
            case REMOVE -> new MembershipChange.Remove(member);
            case MAKE_TOP -> new MembershipChange.MakeTop(member);
            default -> throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "membership change kind " + kind);
        };
    }

    /** The wire code of a membership result: fixed here, never an ordinal, so reordering the enum changes nothing. */
    private static byte resultCode(Message.MembershipResult result) {
        return switch (result) {
            case COMMITTED -> 0;
            case NOT_LEADER -> 1;
            case CHANGE_IN_PROGRESS -> 2;
            case INVALID -> 3;
            case ABANDONED -> 4;
            case UNAUTHORISED -> 5;
        };
    }

    private static Message.MembershipResult readResult(ByteBuffer in) throws CodecException {
        byte code = Bounded.getByte(in, "membership result");
        for (Message.MembershipResult result : Message.MembershipResult.values()) {
            if (resultCode(result) == code) {
                return result;
            }
        }
        throw new CodecException(CodecException.Reason.INVALID_VALUE, "membership result " + code);
    }

    private Message.AppendRequest readAppendRequest(MemberId from, long term, ByteBuffer in) throws CodecException {
        long prevIndex = index(in, "prev index");
        long prevTerm = index(in, "prev term");
        long commitIndex = index(in, "commit index");
        long readRound = index(in, "read round");
        int count = Bounded.getLength(in, maxEntriesPerMessage, "entry count");
        // Checked against the bytes present before the list is sized, so a forged count cannot allocate.
        if ((long) count * MIN_ENTRY_BYTES > in.remaining()) {
            throw new CodecException(
                    CodecException.Reason.TRUNCATED, count + " entries cannot fit in " + in.remaining() + " bytes");
        }
        List<Entry> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(entries.readEntry(in));
        }
        return new Message.AppendRequest(from, term, prevIndex, prevTerm, list, commitIndex, readRound);
    }

    private static String readGroupName(ByteBuffer in) throws CodecException {
        int length = Bounded.getByte(in, "group name length") & 0xFF;
        if (length == 0 || length > MemberId.MAX_LENGTH) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "group name length " + length);
        }
        Bounded.need(in, length, "group name");
        byte[] ascii = new byte[length];
        in.get(ascii);
        String name = new String(ascii, StandardCharsets.US_ASCII);
        try {
            Envelope.requireGroupName(name);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
        return name;
    }

    private static long index(ByteBuffer in, String field) throws CodecException {
        return Bounded.getInDomain(in, field);
    }

    private static void putBoolean(ByteBuffer out, boolean value) {
        out.put(value ? (byte) 1 : (byte) 0);
    }

    private static boolean getBoolean(ByteBuffer in, String field) throws CodecException {
        byte value = Bounded.getByte(in, field);
        if (value != 0 && value != 1) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, field + " flag " + value);
        }
        return value == 1;
    }
}
