package dev.echo.core.codec;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Multicast;
import dev.echo.core.protocol.QuorumSystem;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    private static final byte ADD_VOTER = 1;
    private static final byte ADD_LEARNER = 2;
    private static final byte REMOVE = 3;
    private static final byte MAKE_TOP = 4;
    private static final byte TOGETHER = 5;
    private static final byte ADD_LEARNER_AT = 6; // a join: the learner's address follows (PROTOCOL.md §8)
    private static final byte REPLACE = 7; // the replaced member's id follows

    /** Smallest encoded entry: index, term and a one-byte payload tag; bounds an entry count by the bytes present. */
    private static final int MIN_ENTRY_BYTES = 17;

    private final EntryCodec entries;
    private final int maxEntriesPerMessage;
    private final int maxMessageBytes;

    /**
     * The limits for a stream transport (TCP, in-memory): commands up to 1 MiB, 1,024 entries and 8 MiB per message,
     * above every default of {@code Tuning} so that default groups fit.
     */
    public static MessageCodec defaults() {
        return new MessageCodec(1 << 20, 1024, 8 << 20);
    }

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
        out.put(VERSION).put(message.kind().code());
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

    /** The body's size, by kind: a kind this switch does not name fails to compile. */
    private int bodySize(Message message) {
        return switch (message.kind()) {
            case PRE_VOTE_REQUEST -> 16;
            case VOTE_REQUEST -> 17;
            case PRE_VOTE_RESPONSE, VOTE_RESPONSE -> 1;
            case APPEND_REQUEST -> {
                int size = 32 + 4;
                for (Entry entry : ((Message.AppendRequest) message).entries()) {
                    size += entries.entrySize(entry);
                }
                yield size;
            }
            case APPEND_RESPONSE -> 1 + 32;
            case TIMEOUT_NOW -> 0;
            case FORWARD_REQUEST -> entries.payloadSize(((Message.ForwardRequest) message).payload());
            case READ_INDEX_REQUEST -> 8;
            case READ_INDEX_RESPONSE -> 16;
            case MEMBERSHIP_REQUEST -> 8 + changeSize(((Message.MembershipRequest) message).change());
            case MEMBERSHIP_RESPONSE -> 8 + 1 + 8;
            case INSTALL_SNAPSHOT -> {
                Message.InstallSnapshot chunk = (Message.InstallSnapshot) message;
                yield 8 + 8 + 8 + 1 + EntryCodec.quorumSystemSize(chunk.configuration()) + 4 + chunk.data().length + 8;
            }
            case INSTALL_SNAPSHOT_RESPONSE -> 8 + 8 + 1;
            case MULTICAST_SEND -> 8 + EntryCodec.multicastsSize(((Message.MulticastSend) message).multicasts());
            case MULTICAST_DATA -> 16 + EntryCodec.multicastsSize(((Message.MulticastData) message).multicasts());
            case MULTICAST_ACK ->
                8 + 8 + 1 + 8 + 8 + EntryCodec.multicastsSize(((Message.MulticastAck) message).held());
            case MULTICAST_REPORT_REQUEST -> 8;
        };
    }

    /** Writes the body, by kind; returns {@code out}. A kind this switch does not name fails to compile. */
    private ByteBuffer writeBody(Message message, ByteBuffer out) {
        return switch (message.kind()) {
            case PRE_VOTE_REQUEST -> {
                Message.PreVoteRequest request = (Message.PreVoteRequest) message;
                yield out.putLong(request.lastLogIndex()).putLong(request.lastLogTerm());
            }
            case PRE_VOTE_RESPONSE -> putBoolean(out, ((Message.PreVoteResponse) message).granted());
            case VOTE_REQUEST -> {
                Message.VoteRequest request = (Message.VoteRequest) message;
                out.putLong(request.lastLogIndex()).putLong(request.lastLogTerm());
                yield putBoolean(out, request.leadershipTransfer());
            }
            case VOTE_RESPONSE -> putBoolean(out, ((Message.VoteResponse) message).granted());
            case APPEND_REQUEST -> writeAppendRequest((Message.AppendRequest) message, out);
            case APPEND_RESPONSE -> {
                Message.AppendResponse response = (Message.AppendResponse) message;
                putBoolean(out, response.success());
                yield out.putLong(response.matchIndex())
                        .putLong(response.conflictIndex())
                        .putLong(response.conflictTerm())
                        .putLong(response.readRound());
            }
            case TIMEOUT_NOW -> out; // no body
            case FORWARD_REQUEST -> {
                entries.writePayload(((Message.ForwardRequest) message).payload(), out);
                yield out;
            }
            case READ_INDEX_REQUEST -> out.putLong(((Message.ReadIndexRequest) message).readId());
            case READ_INDEX_RESPONSE -> {
                Message.ReadIndexResponse response = (Message.ReadIndexResponse) message;
                yield out.putLong(response.readId()).putLong(response.readIndex());
            }
            case MEMBERSHIP_REQUEST -> {
                Message.MembershipRequest request = (Message.MembershipRequest) message;
                out.putLong(request.requestId());
                writeChange(request.change(), out);
                yield out;
            }
            case MEMBERSHIP_RESPONSE -> {
                Message.MembershipResponse response = (Message.MembershipResponse) message;
                yield out.putLong(response.requestId())
                        .put(resultCode(response.result()))
                        .putLong(response.index());
            }
            case INSTALL_SNAPSHOT -> {
                Message.InstallSnapshot chunk = (Message.InstallSnapshot) message;
                out.putLong(chunk.index()).putLong(chunk.snapshotTerm()).putLong(chunk.offset());
                putBoolean(out, chunk.last());
                EntryCodec.writeQuorumSystem(chunk.configuration(), out);
                // The configuration's index after the chunk, added in this release (docs/compatibility.md).
                yield out.putInt(chunk.data().length).put(chunk.data()).putLong(chunk.configurationIndex());
            }
            case INSTALL_SNAPSHOT_RESPONSE -> {
                Message.InstallSnapshotResponse response = (Message.InstallSnapshotResponse) message;
                out.putLong(response.index()).putLong(response.nextOffset());
                yield putBoolean(out, response.complete());
            }
            case MULTICAST_SEND -> {
                Message.MulticastSend send = (Message.MulticastSend) message;
                out.putLong(send.epoch());
                yield writeMulticasts(send.multicasts(), out);
            }
            case MULTICAST_DATA -> {
                Message.MulticastData data = (Message.MulticastData) message;
                out.putLong(data.epoch()).putLong(data.stable());
                yield writeMulticasts(data.multicasts(), out);
            }
            case MULTICAST_ACK -> {
                Message.MulticastAck ack = (Message.MulticastAck) message;
                out.putLong(ack.epoch()).putLong(ack.life());
                putBoolean(out, ack.participant());
                out.putLong(ack.delivered()).putLong(ack.answering());
                yield writeMulticasts(ack.held(), out);
            }
            case MULTICAST_REPORT_REQUEST -> out.putLong(((Message.MulticastReportRequest) message).upTo());
        };
    }

    private ByteBuffer writeMulticasts(List<Multicast> multicasts, ByteBuffer out) {
        for (Multicast multicast : multicasts) {
            if (multicast.payload().length > entries.maxCommandBytes()) {
                throw new IllegalArgumentException(
                        "multicast of " + multicast.payload().length + " bytes exceeds " + entries.maxCommandBytes());
            }
        }
        EntryCodec.writeMulticasts(multicasts, out);
        return out;
    }

    private ByteBuffer writeAppendRequest(Message.AppendRequest append, ByteBuffer out) {
        out.putLong(append.prevIndex())
                .putLong(append.prevTerm())
                .putLong(append.commitIndex())
                .putLong(append.readRound());
        out.putInt(append.entries().size());
        for (Entry entry : append.entries()) {
            entries.writeEntry(entry, out);
        }
        return out;
    }

    /** Reads the body of a message of wire type {@code type}; an unknown type is a typed error. */
    private Message readBody(byte type, MemberId from, long term, ByteBuffer in) throws CodecException {
        Message.Kind kind = Message.Kind.ofCode(type);
        if (kind == null) {
            throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "message type " + type);
        }
        return switch (kind) {
            case PRE_VOTE_REQUEST ->
                new Message.PreVoteRequest(from, term, index(in, "last index"), index(in, "last term"));
            case PRE_VOTE_RESPONSE -> new Message.PreVoteResponse(from, term, getBoolean(in, "granted"));
            case VOTE_REQUEST ->
                new Message.VoteRequest(
                        from, term, index(in, "last index"), index(in, "last term"), getBoolean(in, "transfer"));
            case VOTE_RESPONSE -> new Message.VoteResponse(from, term, getBoolean(in, "granted"));
            case APPEND_REQUEST -> readAppendRequest(from, term, in);
            case APPEND_RESPONSE ->
                new Message.AppendResponse(
                        from,
                        term,
                        getBoolean(in, "success"),
                        index(in, "match index"),
                        index(in, "conflict index"),
                        index(in, "conflict term"),
                        index(in, "read round"));
            case TIMEOUT_NOW -> new Message.TimeoutNow(from, term);
            case FORWARD_REQUEST -> new Message.ForwardRequest(from, term, entries.readPayload(in));
            case READ_INDEX_REQUEST -> new Message.ReadIndexRequest(from, term, Bounded.getLong(in, "read id"));
            case READ_INDEX_RESPONSE ->
                new Message.ReadIndexResponse(from, term, Bounded.getLong(in, "read id"), index(in, "read index"));
            case MEMBERSHIP_REQUEST ->
                new Message.MembershipRequest(from, term, Bounded.getLong(in, "request id"), readChange(in));
            case MEMBERSHIP_RESPONSE ->
                new Message.MembershipResponse(
                        from, term, Bounded.getLong(in, "request id"), readResult(in), index(in, "index"));
            case INSTALL_SNAPSHOT -> readInstallSnapshot(from, term, in);
            case INSTALL_SNAPSHOT_RESPONSE ->
                new Message.InstallSnapshotResponse(
                        from, term, index(in, "snapshot index"), index(in, "next offset"), getBoolean(in, "complete"));
            case MULTICAST_SEND -> new Message.MulticastSend(from, term, index(in, "epoch"), readMulticasts(in));
            case MULTICAST_DATA ->
                new Message.MulticastData(from, term, index(in, "epoch"), index(in, "stable"), readMulticasts(in));
            case MULTICAST_ACK ->
                new Message.MulticastAck(
                        from,
                        term,
                        index(in, "epoch"),
                        Bounded.getLong(in, "life"),
                        getBoolean(in, "participant"),
                        index(in, "delivered"),
                        index(in, "answering"),
                        readMulticasts(in));
            case MULTICAST_REPORT_REQUEST -> new Message.MulticastReportRequest(from, term, index(in, "up to"));
        };
    }

    private List<Multicast> readMulticasts(ByteBuffer in) throws CodecException {
        return EntryCodec.readMulticasts(in, entries.maxCommandBytes());
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
        long configurationIndex = index(in, "configuration index");
        return new Message.InstallSnapshot(
                from, term, index, snapshotTerm, configuration, configurationIndex, offset, data, last);
    }

    /** A change: its kind, then one member's edit, or a count and that many single edits (never nested). */
    private static int changeSize(MembershipChange change) {
        if (change instanceof MembershipChange.Together together) {
            int size = 1 + 1;
            for (MembershipChange.Single edit : together.edits()) {
                size += singleSize(edit);
            }
            return size;
        }
        return singleSize((MembershipChange.Single) change);
    }

    private static int singleSize(MembershipChange.Single edit) {
        int size = 1 + EntryCodec.memberIdSize(edit.member());
        if (edit instanceof MembershipChange.AddVoter) {
            size += 4;
        } else if (edit instanceof MembershipChange.AddLearner add
                && add.address().isPresent()) {
            size += EntryCodec.memberAddressSize(add.address().get());
        } else if (edit instanceof MembershipChange.Replace replace) {
            size += EntryCodec.memberIdSize(replace.replaced());
        }
        return size;
    }

    private static void writeChange(MembershipChange change, ByteBuffer out) {
        if (change instanceof MembershipChange.Together together) {
            out.put(TOGETHER);
            out.put((byte) together.edits().size());
            for (MembershipChange.Single edit : together.edits()) {
                writeSingle(edit, out);
            }
        } else {
            writeSingle((MembershipChange.Single) change, out);
        }
    }

    private static void writeSingle(MembershipChange.Single edit, ByteBuffer out) {
        if (edit instanceof MembershipChange.AddVoter add) {
            out.put(ADD_VOTER);
            EntryCodec.writeMemberId(add.member(), out);
            out.putInt(add.weight());
        } else if (edit instanceof MembershipChange.AddLearner add
                && add.address().isPresent()) {
            out.put(ADD_LEARNER_AT);
            EntryCodec.writeMemberId(add.member(), out);
            EntryCodec.writeMemberAddress(add.address().get(), out);
        } else if (edit instanceof MembershipChange.Replace replace) {
            out.put(REPLACE);
            EntryCodec.writeMemberId(replace.member(), out);
            EntryCodec.writeMemberId(replace.replaced(), out);
        } else {
            out.put(
                    edit instanceof MembershipChange.AddLearner
                            ? ADD_LEARNER
                            : edit instanceof MembershipChange.Remove ? REMOVE : MAKE_TOP);
            EntryCodec.writeMemberId(edit.member(), out);
        }
    }

    private static MembershipChange readChange(ByteBuffer in) throws CodecException {
        byte kind = Bounded.getByte(in, "membership change kind");
        if (kind != TOGETHER) {
            return readSingle(kind, in);
        }
        int count = Byte.toUnsignedInt(Bounded.getByte(in, "edit count"));
        if (count < 1 || count > MembershipChange.Together.MAX_EDITS) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "a change of " + count + " edits");
        }
        List<MembershipChange.Single> edits = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            edits.add(readSingle(Bounded.getByte(in, "membership change kind"), in));
        }
        return new MembershipChange.Together(edits);
    }

    private static MembershipChange.Single readSingle(byte kind, ByteBuffer in) throws CodecException {
        if (kind < ADD_VOTER || kind > REPLACE || kind == TOGETHER) { // edits are single, never nested
            throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "membership edit kind " + kind);
        }
        MemberId member = EntryCodec.readMemberId(in);
        try {
            return switch (kind) {
                case ADD_VOTER -> new MembershipChange.AddVoter(member, Bounded.getInt(in, "weight"));
                case ADD_LEARNER -> new MembershipChange.AddLearner(member);
                case ADD_LEARNER_AT ->
                    new MembershipChange.AddLearner(member, Optional.of(EntryCodec.readMemberAddress(in)));
                case REPLACE -> new MembershipChange.Replace(member, EntryCodec.readMemberId(in));
                case REMOVE -> new MembershipChange.Remove(member);
                default -> new MembershipChange.MakeTop(member);
            };
        } catch (IllegalArgumentException invalid) { // a weight out of range, a member replacing itself
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
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
            case NOT_CAUGHT_UP -> 6;
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
        try {
            return DecodedNames.groupName(in, length);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
    }

    private static long index(ByteBuffer in, String field) throws CodecException {
        return Bounded.getInDomain(in, field);
    }

    private static ByteBuffer putBoolean(ByteBuffer out, boolean value) {
        return out.put(value ? (byte) 1 : (byte) 0);
    }

    private static boolean getBoolean(ByteBuffer in, String field) throws CodecException {
        byte value = Bounded.getByte(in, field);
        if (value != 0 && value != 1) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, field + " flag " + value);
        }
        return value == 1;
    }
}
