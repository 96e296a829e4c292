package dev.echo.journal;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.EntryCodec;
import dev.echo.core.protocol.HardState;
import dev.echo.core.storage.GroupIdentity;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of a segment's first record. It makes a segment self-sufficient: every group's identity, term/vote,
 * snapshot position, last index and fault flag as of the segment's start, so that older segments can be deleted
 * without losing a vote or a registration; and where the previous segment's data ends, so that bytes after that point
 * (stale or torn) are never read as records. Immutable.
 *
 * @param clusterId the cluster the journal belongs to
 * @param nodeId the node that owns the journal
 * @param sequence this segment's sequence number
 * @param previousEnd the offset where the previous segment's records end, -1 for the first segment
 * @param groups every known group's state at the segment's start
 */
record SegmentHeader(String clusterId, String nodeId, long sequence, long previousEnd, List<GroupSummary> groups) {
    private static final int MAGIC = 0x4543484A; // "ECHJ"

    SegmentHeader {
        groups = List.copyOf(groups);
    }

    /**
     * One group's state at a segment's start.
     *
     * @param number the group's number in this journal
     * @param identity the group's name and this member's identity
     * @param hardState durable term and vote
     * @param snapshotIndex last index covered by the snapshot
     * @param snapshotTerm term at the snapshot index
     * @param lastIndex last log index
     * @param faulted whether recovery found the group's data damaged and it has not been repaired
     */
    record GroupSummary(
            int number,
            GroupIdentity identity,
            HardState hardState,
            long snapshotIndex,
            long snapshotTerm,
            long lastIndex,
            boolean faulted) {}

    int encodedSize() {
        int size = 4 + 8 + 8 + 4 + stringSize(clusterId) + stringSize(nodeId);
        for (GroupSummary group : groups) {
            size += 4 + identitySize(group.identity()) + EntryCodec.hardStateSize(group.hardState()) + 8 + 8 + 8 + 1;
        }
        return size;
    }

    void write(ByteBuffer out) {
        out.putInt(MAGIC).putLong(sequence).putLong(previousEnd);
        writeString(clusterId, out);
        writeString(nodeId, out);
        out.putInt(groups.size());
        for (GroupSummary group : groups) {
            out.putInt(group.number());
            writeIdentity(group.identity(), out);
            EntryCodec.writeHardState(group.hardState(), out);
            out.putLong(group.snapshotIndex()).putLong(group.snapshotTerm()).putLong(group.lastIndex());
            out.put((byte) (group.faulted() ? 1 : 0));
        }
    }

    static SegmentHeader read(ByteBuffer in) throws CodecException {
        if (in.remaining() < 20 || in.getInt() != MAGIC) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "segment header magic");
        }
        long sequence = in.getLong();
        long previousEnd = in.getLong();
        String clusterId = readString(in);
        String nodeId = readString(in);
        int count = in.remaining() >= 4 ? in.getInt() : -1;
        if (count < 0 || count > in.remaining() / 30) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, "segment header group count " + count);
        }
        List<GroupSummary> groups = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int number = in.getInt();
            GroupIdentity identity = readIdentity(in);
            HardState hardState = EntryCodec.readHardState(in);
            if (in.remaining() < 25) {
                throw new CodecException(CodecException.Reason.TRUNCATED, "segment header group " + number);
            }
            groups.add(new GroupSummary(
                    number, identity, hardState, in.getLong(), in.getLong(), in.getLong(), in.get() == 1));
        }
        EntryCodec.requireFullyRead(in, "segment header");
        return new SegmentHeader(clusterId, nodeId, sequence, previousEnd, groups);
    }

    static int identitySize(GroupIdentity identity) {
        return stringSize(identity.groupName()) + EntryCodec.memberIdSize(identity.member()) + 8;
    }

    static void writeIdentity(GroupIdentity identity, ByteBuffer out) {
        writeString(identity.groupName(), out);
        EntryCodec.writeMemberId(identity.member(), out);
        out.putLong(identity.incarnation());
    }

    static GroupIdentity readIdentity(ByteBuffer in) throws CodecException {
        String name = readString(in);
        MemberId member = EntryCodec.readMemberId(in);
        if (in.remaining() < 8) {
            throw new CodecException(CodecException.Reason.TRUNCATED, "incarnation");
        }
        long incarnation = in.getLong();
        try {
            return new GroupIdentity(name, member, incarnation);
        } catch (IllegalArgumentException invalid) {
            throw new CodecException(CodecException.Reason.INVALID_VALUE, invalid.getMessage());
        }
    }

    // Names share the member-id alphabet and bound, so they reuse its encoding.
    private static int stringSize(String name) {
        return 1 + name.length();
    }

    private static void writeString(String name, ByteBuffer out) {
        EntryCodec.writeMemberId(MemberId.of(name), out);
    }

    private static String readString(ByteBuffer in) throws CodecException {
        return EntryCodec.readMemberId(in).value();
    }
}
