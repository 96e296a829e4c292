package dev.echo.core.codec;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.Multicast;
import dev.echo.core.protocol.Participant;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Voter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The binary form of log entries, configurations and term/vote state, shared by the journal and the wire so that an
 * entry has exactly one encoding. Big-endian; every variable-length field is a length or count followed by its
 * bytes, and decoding checks every length against {@link #maxCommandBytes()} or the protocol's own bounds before
 * allocating.
 *
 * <p>Immutable and thread-safe. Encoding writes into a caller-supplied buffer that must have
 * {@link #payloadSize} (or {@link #entrySize}) bytes remaining.
 */
public final class EntryCodec {
    private static final byte NO_OP = 0;
    private static final byte OPEN_SESSION = 1;
    private static final byte COMMAND = 2;
    private static final byte CONFIGURATION = 3;
    private static final byte VIEW_CUT = 4;

    /** Smallest encoded multicast: sequence, a one-byte sender id, sender sequence and an empty payload's length. */
    private static final int MIN_MULTICAST_BYTES = 8 + 2 + 8 + 4;
    /** Smallest encoded participant: a one-byte member id and its life. */
    private static final int MIN_PARTICIPANT_BYTES = 2 + 8;

    // A configuration's kind. The addressed kinds follow each configuration with its members' addresses (PROTOCOL.md
    // §8); a system with no address at all keeps the older kinds, so groups that record none write what the previous
    // release wrote and read (docs/compatibility.md).
    private static final byte SINGLE = 1;
    private static final byte JOINT = 2;
    private static final byte SINGLE_ADDRESSED = 3;
    private static final byte JOINT_ADDRESSED = 4;

    private final int maxCommandBytes;

    /**
     * Creates a codec that refuses commands larger than {@code maxCommandBytes}.
     *
     * @param maxCommandBytes the largest application command accepted, at least 0
     */
    public EntryCodec(int maxCommandBytes) {
        if (maxCommandBytes < 0) {
            throw new IllegalArgumentException("maxCommandBytes must not be negative: " + maxCommandBytes);
        }
        this.maxCommandBytes = maxCommandBytes;
    }

    /** The largest application command this codec encodes or decodes. */
    public int maxCommandBytes() {
        return maxCommandBytes;
    }

    /** Exact encoded size of an entry: index, term and payload. */
    public int entrySize(Entry entry) {
        return 16 + payloadSize(entry.payload());
    }

    /** Writes index, term and payload. */
    public void writeEntry(Entry entry, ByteBuffer out) {
        out.putLong(entry.index());
        out.putLong(entry.term());
        writePayload(entry.payload(), out);
    }

    /** Reads what {@link #writeEntry} wrote. */
    public Entry readEntry(ByteBuffer in) throws CodecException {
        long index = Bounded.getInDomain(in, "entry index");
        long term = Bounded.getInDomain(in, "entry term");
        if (index < 1 || term < 1) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "entry index/term " + index + "/" + term);
        }
        return new Entry(index, term, readPayload(in));
    }

    /** Exact encoded size of a payload, including its type tag. */
    public int payloadSize(Entry.Payload payload) {
        if (payload instanceof Entry.NoOp) {
            return 1;
        }
        if (payload instanceof Entry.OpenSession) {
            return 1 + 8;
        }
        if (payload instanceof Entry.Command command) {
            return 1 + 24 + 4 + command.command().length;
        }
        if (payload instanceof Entry.ViewCut cut) {
            int size = 1 + 8 + 8 + memberIdSize(cut.sequencer()) + 4;
            for (Participant participant : cut.participants()) {
                size += memberIdSize(participant.id()) + 8;
            }
            return size + multicastsSize(cut.tail());
        }
        return 1 + quorumSystemSize(((Entry.ConfigurationChange) payload).configuration());
    }

    /** Exact encoded size of a list of multicasts: a count, then each one. */
    public static int multicastsSize(List<Multicast> multicasts) {
        int size = 4;
        for (Multicast multicast : multicasts) {
            size += 8 + memberIdSize(multicast.sender()) + 8 + 4 + multicast.payload().length;
        }
        return size;
    }

    /** Writes a list of multicasts (PROTOCOL.md §13); the caller checked their payloads against its limit. */
    public static void writeMulticasts(List<Multicast> multicasts, ByteBuffer out) {
        out.putInt(multicasts.size());
        for (Multicast multicast : multicasts) {
            out.putLong(multicast.sequence());
            writeMemberId(multicast.sender(), out);
            out.putLong(multicast.senderSequence());
            out.putInt(multicast.payload().length).put(multicast.payload());
        }
    }

    /** Reads what {@link #writeMulticasts} wrote, refusing payloads above {@code maxPayloadBytes}. */
    public static List<Multicast> readMulticasts(ByteBuffer in, int maxPayloadBytes) throws CodecException {
        int count = Bounded.getInt(in, "multicast count");
        // Checked against the bytes present before the list is sized, so a forged count cannot allocate.
        if (count < 0 || (long) count * MIN_MULTICAST_BYTES > in.remaining()) {
            throw new CodecException(
                    CodecException.Reason.TRUNCATED, count + " multicasts cannot fit in " + in.remaining() + " bytes");
        }
        List<Multicast> multicasts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long sequence = Bounded.getInDomain(in, "multicast sequence");
            MemberId sender = readMemberId(in);
            long senderSequence = Bounded.getInDomain(in, "sender sequence");
            byte[] payload = Bounded.getBytes(in, maxPayloadBytes, "multicast payload");
            try {
                multicasts.add(new Multicast(sequence, sender, senderSequence, payload));
            } catch (IllegalArgumentException invalid) {
                throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
            }
        }
        return multicasts;
    }

    /**
     * Writes a payload.
     *
     * @throws IllegalArgumentException if a command is larger than {@link #maxCommandBytes()}
     */
    public void writePayload(Entry.Payload payload, ByteBuffer out) {
        if (payload instanceof Entry.NoOp) {
            out.put(NO_OP);
        } else if (payload instanceof Entry.OpenSession open) {
            out.put(OPEN_SESSION).putLong(open.clientId());
        } else if (payload instanceof Entry.Command command) {
            if (command.command().length > maxCommandBytes) {
                throw new IllegalArgumentException(
                        "command of " + command.command().length + " bytes exceeds " + maxCommandBytes);
            }
            out.put(COMMAND)
                    .putLong(command.clientId())
                    .putLong(command.sequence())
                    .putLong(command.ackedSequence())
                    .putInt(command.command().length)
                    .put(command.command());
        } else if (payload instanceof Entry.ViewCut cut) {
            for (Multicast multicast : cut.tail()) {
                if (multicast.payload().length > maxCommandBytes) {
                    throw new IllegalArgumentException(
                            "multicast of " + multicast.payload().length + " bytes exceeds " + maxCommandBytes);
                }
            }
            out.put(VIEW_CUT).putLong(cut.endedEpoch()).putLong(cut.cutSequence());
            writeMemberId(cut.sequencer(), out);
            out.putInt(cut.participants().size());
            for (Participant participant : cut.participants()) {
                writeMemberId(participant.id(), out);
                out.putLong(participant.life());
            }
            writeMulticasts(cut.tail(), out);
        } else {
            out.put(CONFIGURATION);
            writeQuorumSystem(((Entry.ConfigurationChange) payload).configuration(), out);
        }
    }

    /** Reads what {@link #writePayload} wrote. */
    public Entry.Payload readPayload(ByteBuffer in) throws CodecException {
        byte tag = Bounded.getByte(in, "payload type");
        switch (tag) {
            case NO_OP:
                return new Entry.NoOp();
            case OPEN_SESSION:
                return new Entry.OpenSession(Bounded.getLong(in, "client id"));
            case COMMAND:
                long clientId = Bounded.getLong(in, "client id");
                long sequence = Bounded.getInDomain(in, "sequence");
                long acked = Bounded.getInDomain(in, "acked sequence");
                if (sequence < 1 || acked < 0 || acked >= sequence) {
                    throw new CodecException(
                            CodecException.Reason.INVALID_VALUE, "session coordinates " + sequence + "/" + acked);
                }
                byte[] bytes = Bounded.getBytes(in, maxCommandBytes, "command");
                return new Entry.Command(clientId, sequence, acked, bytes);
            case CONFIGURATION:
                return new Entry.ConfigurationChange(readQuorumSystem(in));
            case VIEW_CUT:
                return readViewCut(in);
            default:
                throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "payload type " + tag);
        }
    }

    private Entry.ViewCut readViewCut(ByteBuffer in) throws CodecException {
        long endedEpoch = Bounded.getInDomain(in, "ended epoch");
        long cutSequence = Bounded.getInDomain(in, "cut sequence");
        MemberId sequencer = readMemberId(in);
        int count = Bounded.getInt(in, "participant count");
        if (count < 0 || (long) count * MIN_PARTICIPANT_BYTES > in.remaining()) {
            throw new CodecException(
                    CodecException.Reason.TRUNCATED,
                    count + " participants cannot fit in " + in.remaining() + " bytes");
        }
        List<Participant> participants = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            participants.add(new Participant(readMemberId(in), Bounded.getLong(in, "participant life")));
        }
        List<Multicast> tail = readMulticasts(in, maxCommandBytes);
        try {
            return new Entry.ViewCut(endedEpoch, cutSequence, sequencer, participants, tail);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
    }

    /** Exact encoded size of a configuration (single or joint). */
    public static int quorumSystemSize(QuorumSystem system) {
        boolean addressed = hasAddresses(system);
        if (system instanceof JointConfiguration joint) {
            return 1 + configurationSize(joint.old(), addressed) + configurationSize(joint.next(), addressed);
        }
        return 1 + configurationSize((Configuration) system, addressed);
    }

    private static boolean hasAddresses(QuorumSystem system) {
        if (system instanceof JointConfiguration joint) {
            return !joint.old().addresses().isEmpty()
                    || !joint.next().addresses().isEmpty();
        }
        return !((Configuration) system).addresses().isEmpty();
    }

    /** Writes a configuration (single or joint). */
    public static void writeQuorumSystem(QuorumSystem system, ByteBuffer out) {
        boolean addressed = hasAddresses(system);
        if (system instanceof JointConfiguration joint) {
            out.put(addressed ? JOINT_ADDRESSED : JOINT);
            writeConfiguration(joint.old(), addressed, out);
            writeConfiguration(joint.next(), addressed, out);
        } else {
            out.put(addressed ? SINGLE_ADDRESSED : SINGLE);
            writeConfiguration((Configuration) system, addressed, out);
        }
    }

    /** Reads what {@link #writeQuorumSystem} wrote. */
    public static QuorumSystem readQuorumSystem(ByteBuffer in) throws CodecException {
        byte kind = Bounded.getByte(in, "configuration kind");
        boolean addressed = kind == SINGLE_ADDRESSED || kind == JOINT_ADDRESSED;
        QuorumSystem system;
        if (kind == SINGLE || kind == SINGLE_ADDRESSED) {
            system = readConfiguration(in, addressed);
        } else if (kind == JOINT || kind == JOINT_ADDRESSED) {
            system = new JointConfiguration(readConfiguration(in, addressed), readConfiguration(in, addressed));
        } else {
            throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "configuration kind " + kind);
        }
        // One encoding per configuration, so that round trips are exact: the addressed kinds only with addresses.
        if (addressed && !hasAddresses(system)) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "addressed configuration without addresses");
        }
        return system;
    }

    private static int configurationSize(Configuration configuration, boolean addressed) {
        int size = 2 + (addressed ? addressesSize(configuration.addresses()) : 0);
        for (Voter voter : configuration.voters()) {
            size += memberIdSize(voter.id()) + 4 + 8;
        }
        for (MemberId learner : configuration.learners()) {
            size += memberIdSize(learner);
        }
        size += 1;
        for (Voter voter : explicitNominal(configuration)) {
            size += memberIdSize(voter.id()) + 4 + 8;
        }
        return size;
    }

    /** The nominal list when it differs from the voters (someone is suspended), else empty: the common case costs a byte. */
    private static List<Voter> explicitNominal(Configuration configuration) {
        return configuration.nominal().equals(configuration.voters()) ? List.of() : configuration.nominal();
    }

    private static void writeVoters(List<Voter> voters, ByteBuffer out) {
        out.put((byte) voters.size());
        for (Voter voter : voters) {
            writeMemberId(voter.id(), out);
            out.putInt(voter.weight());
            out.putLong(voter.incarnation());
        }
    }

    private static List<Voter> readVoters(ByteBuffer in, String field) throws CodecException {
        int count = count(in, field);
        List<Voter> voters = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MemberId id = readMemberId(in);
            int weight = Bounded.getInt(in, "weight");
            if (weight < 1 || weight > Voter.MAX_WEIGHT) {
                throw new CodecException(CodecException.Reason.INVALID_VALUE, "weight " + weight);
            }
            long incarnation = Bounded.getInDomain(in, "incarnation");
            voters.add(new Voter(id, weight, incarnation));
        }
        return voters;
    }

    private static void writeConfiguration(Configuration configuration, boolean addressed, ByteBuffer out) {
        writeVoters(configuration.voters(), out);
        out.put((byte) configuration.learners().size());
        for (MemberId learner : configuration.learners()) {
            writeMemberId(learner, out);
        }
        writeVoters(explicitNominal(configuration), out);
        if (addressed) {
            writeAddresses(configuration.addresses(), out);
        }
    }

    private static Configuration readConfiguration(ByteBuffer in, boolean addressed) throws CodecException {
        List<Voter> voters = readVoters(in, "voter count");
        int learnerCount = count(in, "learner count");
        SortedSet<MemberId> learners = new TreeSet<>();
        for (int i = 0; i < learnerCount; i++) {
            MemberId learner = readMemberId(in);
            // Written in ascending order; anything else is not an encoding this codec produced.
            if (!learners.isEmpty() && learners.last().compareTo(learner) >= 0) {
                throw new CodecException(CodecException.Reason.INVALID_VALUE, "learners out of order at " + learner);
            }
            learners.add(learner);
        }
        List<Voter> nominal = readVoters(in, "nominal voter count");
        // Written empty when it equals the voters (explicitNominal): a repeated list is not an encoding of ours, and
        // accepting it would give one configuration two encodings, and round trips must be exact.
        if (!nominal.isEmpty() && nominal.equals(voters)) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "nominal voters repeat the voters");
        }
        SortedMap<MemberId, MemberAddress> addresses = addressed ? readAddresses(in) : new TreeMap<>();
        try {
            return new Configuration(voters, learners, nominal, addresses);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
    }

    /** Members' addresses: a count, then per member (ascending) its id, its endpoints and its metadata. */
    private static int addressesSize(SortedMap<MemberId, MemberAddress> addresses) {
        int size = 1;
        for (Map.Entry<MemberId, MemberAddress> entry : addresses.entrySet()) {
            size += memberIdSize(entry.getKey()) + memberAddressSize(entry.getValue());
        }
        return size;
    }

    private static void writeAddresses(SortedMap<MemberId, MemberAddress> addresses, ByteBuffer out) {
        out.put((byte) addresses.size());
        for (Map.Entry<MemberId, MemberAddress> entry : addresses.entrySet()) {
            writeMemberId(entry.getKey(), out);
            writeMemberAddress(entry.getValue(), out);
        }
    }

    private static SortedMap<MemberId, MemberAddress> readAddresses(ByteBuffer in) throws CodecException {
        int count = count(in, "address count");
        SortedMap<MemberId, MemberAddress> addresses = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            MemberId member = readMemberId(in);
            if (!addresses.isEmpty() && addresses.lastKey().compareTo(member) >= 0) {
                throw new CodecException(CodecException.Reason.INVALID_VALUE, "addresses out of order at " + member);
            }
            addresses.put(member, readMemberAddress(in));
        }
        return addresses;
    }

    /** Exact encoded size of a member's address: endpoints (host and port each) and metadata. */
    public static int memberAddressSize(MemberAddress address) {
        int size = 1 + 2 + address.metadataLength();
        for (PeerAddress endpoint : address.endpoints()) {
            size += 1 + endpoint.host().length() + 2; // ASCII: one byte per character
        }
        return size;
    }

    /** Writes a member's address. */
    public static void writeMemberAddress(MemberAddress address, ByteBuffer out) {
        out.put((byte) address.endpoints().size());
        for (PeerAddress endpoint : address.endpoints()) {
            byte[] host = endpoint.host().getBytes(StandardCharsets.US_ASCII);
            out.put((byte) host.length).put(host).putShort((short) endpoint.port());
        }
        byte[] metadata = address.metadata();
        out.putShort((short) metadata.length).put(metadata);
    }

    /** Reads what {@link #writeMemberAddress} wrote, refusing anything {@link MemberAddress} would refuse. */
    public static MemberAddress readMemberAddress(ByteBuffer in) throws CodecException {
        int endpointCount = Bounded.getByte(in, "endpoint count") & 0xFF;
        if (endpointCount < 1 || endpointCount > MemberAddress.MAX_ENDPOINTS) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "endpoint count " + endpointCount);
        }
        List<PeerAddress> endpoints = new ArrayList<>(endpointCount);
        try {
            for (int i = 0; i < endpointCount; i++) {
                int hostLength = Bounded.getByte(in, "host length") & 0xFF;
                Bounded.need(in, hostLength + 2, "endpoint");
                byte[] host = new byte[hostLength];
                in.get(host);
                // Bytes outside printable ASCII never reach a String: decoding would replace them, and the
                // configuration would re-encode differently at another member.
                for (byte b : host) {
                    if (b < 0x21 || b > 0x7E) {
                        throw new CodecException(CodecException.Reason.INVALID_VALUE, "host byte " + (b & 0xFF));
                    }
                }
                endpoints.add(new PeerAddress(new String(host, StandardCharsets.US_ASCII), in.getShort() & 0xFFFF));
            }
            int metadataLength = Bounded.getShort(in, "metadata length") & 0xFFFF;
            if (metadataLength > MemberAddress.MAX_METADATA_BYTES) {
                throw new CodecException(CodecException.Reason.OVERSIZED, "member metadata of " + metadataLength);
            }
            Bounded.need(in, metadataLength, "member metadata");
            byte[] metadata = new byte[metadataLength];
            in.get(metadata);
            return new MemberAddress(endpoints, metadata);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
    }

    private static int count(ByteBuffer in, String field) throws CodecException {
        int count = Bounded.getByte(in, field) & 0xFF;
        if (count > Configuration.MAX_MEMBERS) {
            throw new CodecException(
                    CodecException.Reason.OVERSIZED, field + " " + count + " exceeds " + Configuration.MAX_MEMBERS);
        }
        return count;
    }

    /** Exact encoded size of a member id: a length byte and its ASCII characters. */
    public static int memberIdSize(MemberId id) {
        return 1 + id.value().length();
    }

    /** Writes a member id. */
    public static void writeMemberId(MemberId id, ByteBuffer out) {
        out.put((byte) id.value().length());
        out.put(id.value().getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads what {@link #writeMemberId} wrote, refusing anything {@link MemberId} would refuse. */
    public static MemberId readMemberId(ByteBuffer in) throws CodecException {
        int length = Bounded.getByte(in, "member id length") & 0xFF;
        if (length == 0 || length > MemberId.MAX_LENGTH) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "member id length " + length);
        }
        Bounded.need(in, length, "member id");
        try {
            return DecodedNames.memberId(in, length);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
    }

    /** Exact encoded size of a term/vote state. */
    public static int hardStateSize(HardState state) {
        return 8 + 1 + state.votedFor().map(EntryCodec::memberIdSize).orElse(0);
    }

    /** Writes a term and an optional vote. */
    public static void writeHardState(HardState state, ByteBuffer out) {
        out.putLong(state.term());
        if (state.votedFor().isPresent()) {
            out.put((byte) 1);
            writeMemberId(state.votedFor().get(), out);
        } else {
            out.put((byte) 0);
        }
    }

    /** Reads what {@link #writeHardState} wrote. */
    public static HardState readHardState(ByteBuffer in) throws CodecException {
        long term = Bounded.getInDomain(in, "term");
        byte hasVote = Bounded.getByte(in, "vote flag");
        if (hasVote == 0) {
            return new HardState(term, Optional.empty());
        }
        if (hasVote != 1) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "vote flag " + hasVote);
        }
        return new HardState(term, Optional.of(readMemberId(in)));
    }

    /** Throws unless {@code in} has been read to its end. */
    public static void requireFullyRead(ByteBuffer in, String what) throws CodecException {
        if (in.hasRemaining()) {
            throw new CodecException(
                    CodecException.Reason.TRAILING_BYTES, in.remaining() + " bytes after the end of " + what);
        }
    }
}
