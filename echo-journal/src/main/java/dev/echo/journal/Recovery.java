package dev.echo.journal;

import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.EntryCodec;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import dev.echo.journal.rules.JournalRules;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Rebuilds every group's state from the segments on open (PROTOCOL.md §5). Rules:
 *
 * <ul>
 *   <li>A segment's records end where the next segment's header says; inside that range every byte was forced before
 *       the next segment began, so any damage there is corruption.
 *   <li>In the last segment, damage at or after the last SEAL record is a torn write of a batch that was never
 *       reported durable: the data is cut there. Damage before a SEAL is corruption.
 *   <li>Corruption whose record header is intact faults that record's group; damage where no header can be read
 *       cannot be attributed and faults every group known at that point (each is then repaired from its leader).
 *   <li>Entries that a group still needs but that lived in a missing segment fault that group.
 * </ul>
 *
 * <p>Confined to the opening thread; runs before the writer starts.
 */
final class Recovery {
    /** What the first pass reads of each segment: a header with thousands of groups fits. */
    private static final int HEAD_BYTES = 1 << 20;

    private final JournalOptions options;
    private final EntryCodec codec;
    private final JournalRules rules;
    final TreeMap<Integer, GroupState> groups = new TreeMap<>();
    final List<Segment> segments = new ArrayList<>();
    /** Set when damage could not be pinned to a group: groups first registered in this session start faulted. */
    StorageException unattributedDamage;
    /** Where the last segment's data ends (the next segment's {@code previousEnd}). */
    long lastSegmentEnd = -1;

    private boolean reinitialiseFromNextHeader = true;

    Recovery(JournalOptions options, EntryCodec codec, JournalRules rules) {
        this.options = options;
        this.codec = codec;
        this.rules = rules;
    }

    /**
     * Replays the segments in order. Only one segment's bytes are in memory at a time: a first pass reads the head of
     * each (its header, for the format and where the previous segment's data ends), the second replays each whole.
     */
    void run(List<Path> segmentPaths) throws StorageException {
        List<Path> paths = new ArrayList<>(segmentPaths);
        List<RecordFormat.SegmentFormat> formats = new ArrayList<>();
        List<SegmentHeader> headers = new ArrayList<>();
        for (Path path : paths) {
            ByteBuffer head = readHead(path);
            RecordFormat.SegmentFormat format = formatOf(head, Segment.sequenceOf(path));
            refuseOlderFormat(path, head, format);
            formats.add(format);
            headers.add(headerOf(head, format));
        }
        dropTornLastSegment(paths, formats, headers);
        for (int i = 0; i < paths.size(); i++) {
            long sequence = Segment.sequenceOf(paths.get(i));
            if (i > 0 && sequence != Segment.sequenceOf(paths.get(i - 1)) + 1) {
                reinitialiseFromNextHeader = true; // entries of the missing segment become unavailable
            }
            boolean last = i == paths.size() - 1;
            long knownEnd = -1;
            if (!last && Segment.sequenceOf(paths.get(i + 1)) == sequence + 1) {
                SegmentHeader next = headers.get(i + 1);
                knownEnd = next == null ? -1 : next.previousEnd();
            }
            int end = replaySegment(sequence, readAll(paths.get(i)), formats.get(i), knownEnd, last);
            if (last) {
                lastSegmentEnd = end;
            }
            openSegment(sequence, paths.get(i), formats.get(i));
        }
        for (GroupState group : groups.values()) {
            long unavailable = group.index.firstUnavailable();
            if (group.fault == null && unavailable != 0) {
                group.fault(new StorageException(
                        Reason.MISSING_SEGMENT,
                        "group " + group.identity.groupName() + " needs entry " + unavailable
                                + " from a segment that is missing"));
            }
        }
    }

    /** A last segment whose header is torn (and holds no SEAL) was never used: it is removed. */
    private void dropTornLastSegment(
            List<Path> paths, List<RecordFormat.SegmentFormat> formats, List<SegmentHeader> headers)
            throws StorageException {
        if (paths.isEmpty()) {
            return;
        }
        int last = paths.size() - 1;
        if (headers.get(last) != null) {
            return;
        }
        ByteBuffer data = readAll(paths.get(last));
        if (SegmentScan.of(data, data.limit(), formats.get(last), rules).lastSeal >= 0) {
            return; // forced data behind a damaged header: corruption, reported by the replay
        }
        try {
            options.fileLayer().delete(paths.get(last));
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot remove torn segment " + paths.get(last), e);
        }
        paths.remove(last);
        formats.remove(last);
        headers.remove(last);
    }

    private int replaySegment(
            long sequence, ByteBuffer data, RecordFormat.SegmentFormat format, long knownEnd, boolean last)
            throws StorageException {
        int limit = knownEnd >= 0 ? (int) Math.min(knownEnd, data.limit()) : data.limit();
        SegmentScan scan = SegmentScan.of(data, limit, format, rules);
        if (last) {
            int damage = scan.firstDamage();
            if (damage >= 0 && damage >= scan.lastSeal) {
                scan.cutAt(damage); // torn write of a batch never reported durable
            }
        } else if (knownEnd >= 0 && scan.dataEnd < knownEnd) {
            scan.regions.add(new SegmentScan.Region(scan.dataEnd, SegmentScan.Kind.GAP, null));
        }
        if (scan.regions.isEmpty()
                || scan.regions.get(0).offset() != 0
                || scan.regions.get(0).type() != RecordType.SEGMENT_HEADER) {
            faultEveryGroup(Reason.CORRUPT_RECORD, "segment " + sequence + " has no valid header");
            reinitialiseFromNextHeader = true;
        }
        for (SegmentScan.Region region : scan.regions) {
            switch (region.kind()) {
                case VALID:
                    apply(sequence, data, region.offset(), format.version());
                    break;
                case BAD_PAYLOAD:
                    faultGroup(data.getInt(region.offset() + 12), sequence, region.offset());
                    break;
                default:
                    faultEveryGroup(
                            Reason.CORRUPT_RECORD,
                            "unreadable record at segment " + sequence + " offset " + region.offset());
            }
        }
        return scan.dataEnd;
    }

    /** Applies the valid record at {@code offset}; a segment's records all carry its {@code segmentVersion}. */
    private void apply(long sequence, ByteBuffer data, int offset, byte segmentVersion) throws StorageException {
        RecordType type = RecordType.of(data.get(offset + 8));
        byte version = data.get(offset + 9);
        if (version != segmentVersion) {
            throw new StorageException(
                    Reason.UNSUPPORTED_VERSION,
                    "record version " + version + " at segment " + sequence + " offset " + offset);
        }
        if (type == null) {
            throw new StorageException(
                    Reason.UNKNOWN_RECORD_TYPE,
                    "record type " + data.get(offset + 8) + " at segment " + sequence + " offset " + offset);
        }
        int length = data.getInt(offset);
        if (length > options.maxRecordBytes() && type != RecordType.SEGMENT_HEADER) {
            throw new StorageException(
                    Reason.RECORD_TOO_LARGE,
                    "record of " + length + " bytes at segment " + sequence + " offset " + offset
                            + " exceeds maxRecordBytes " + options.maxRecordBytes());
        }
        int groupNumber = data.getInt(offset + 12);
        long term = data.getLong(offset + 16);
        long index = data.getLong(offset + 24);
        ByteBuffer payload = data.duplicate();
        payload.limit(offset + length).position(offset + RecordFormat.HEADER_BYTES);
        try {
            switch (type) {
                case SEGMENT_HEADER:
                    applyHeader(SegmentHeader.read(payload.slice()));
                    break;
                case GROUP:
                    applyGroup(groupNumber, SegmentHeader.readIdentity(payload.slice()));
                    break;
                case SEAL:
                    break;
                default:
                    applyGroupRecord(type, groupNumber, term, index, payload.slice(), sequence, offset);
            }
        } catch (CodecException | BufferUnderflowException | IllegalArgumentException undecodable) {
            // The checksums matched, so these bytes were written like this: a bug or a foreign writer, not a bit flip.
            throw new StorageException(
                    Reason.CORRUPT_RECORD,
                    type + " record at segment " + sequence + " offset " + offset + " does not decode: "
                            + undecodable.getMessage());
        }
    }

    private void applyHeader(SegmentHeader header) throws StorageException {
        if (!header.clusterId().equals(options.clusterId()) || !header.nodeId().equals(options.nodeId())) {
            throw new StorageException(
                    Reason.WRONG_OWNER,
                    "segment " + header.sequence() + " belongs to node " + header.nodeId() + " of cluster "
                            + header.clusterId() + ", not " + options.nodeId() + " of " + options.clusterId());
        }
        if (!reinitialiseFromNextHeader) {
            // A header also carries each group's incarnation when it was written: the second copy of a GROUP record
            // (JournalWriter rolls after each reincarnation), so a damaged one never brings back an earlier life.
            for (SegmentHeader.GroupSummary summary : header.groups()) {
                GroupState group = groups.get(summary.number());
                if (group != null && laterLife(group.identity, summary.identity())) {
                    group.identity = summary.identity();
                }
            }
            return;
        }
        reinitialiseFromNextHeader = false;
        TreeMap<Integer, GroupState> previous = new TreeMap<>(groups);
        groups.clear();
        for (SegmentHeader.GroupSummary summary : header.groups()) {
            LogIndex index = new LogIndex(summary.snapshotIndex(), summary.snapshotTerm());
            for (long i = summary.snapshotIndex() + 1; i <= summary.lastIndex(); i++) {
                index.append(i, 0, LogIndex.UNAVAILABLE);
            }
            GroupState group = new GroupState(summary.number(), summary.identity(), summary.hardState(), index);
            GroupState before = previous.get(summary.number());
            if (before != null && before.fault != null) {
                group.fault(before.fault);
            } else if (summary.faulted()) {
                group.fault(new StorageException(
                        Reason.CORRUPT_RECORD,
                        "group " + summary.identity().groupName() + " was found damaged earlier and not repaired"));
            }
            groups.put(summary.number(), group);
        }
    }

    private void applyGroup(int number, GroupIdentity identity) throws StorageException {
        GroupState existing = groups.get(number);
        if (existing != null && laterLife(existing.identity, identity)) {
            existing.identity = identity; // the member started its next incarnation (GroupJournal.reincarnate)
            return;
        }
        if (existing != null && !existing.identity.equals(identity)) {
            throw new StorageException(
                    Reason.CORRUPT_RECORD, "group number " + number + " registered twice with different identities");
        }
        if (existing == null) {
            groups.put(number, new GroupState(number, identity, HardState.INITIAL, new LogIndex(0, 0)));
        }
    }

    private void applyGroupRecord(
            RecordType type, int number, long term, long index, ByteBuffer payload, long sequence, int offset)
            throws CodecException {
        GroupState group = groups.get(number);
        if (group == null) {
            faultEveryGroup(
                    Reason.CORRUPT_RECORD,
                    "record of unknown group " + number + " at segment " + sequence + " offset " + offset);
            return;
        }
        switch (type) {
            case HARD_STATE:
                group.hardState = EntryCodec.readHardState(payload);
                return;
            case COMPACT:
                boolean keepSuffix = payload.get() == 1;
                if (keepSuffix && index > group.index.lastIndex()) {
                    // Only a group already faulted (its entries skipped) gets here: keep the fault, drop the log.
                    group.fault(outOfSequence(group, "compaction to " + index, sequence, offset));
                    group.compactRecovered(index, term, false);
                    return;
                }
                group.compactRecovered(index, term, keepSuffix);
                if (!keepSuffix) {
                    group.fault = null; // the log restarts after a snapshot (or from scratch): the repair of §5
                }
                return;
            default:
                break;
        }
        if (group.fault != null) {
            return; // a faulted group's log is not trusted until a snapshot replaces it
        }
        if (type == RecordType.TRUNCATE) {
            if (index <= group.index.snapshotIndex() || index > group.index.lastIndex() + 1) {
                group.fault(outOfSequence(group, "truncation at " + index, sequence, offset));
            } else {
                group.truncateRecovered(index);
            }
            return;
        }
        if (index != group.index.lastIndex() + 1) {
            group.fault(outOfSequence(group, "entry " + index, sequence, offset));
            return;
        }
        Entry.Payload decoded = codec.readPayload(payload); // a later read cannot fail to decode it
        group.index.append(index, term, LogIndex.pack(sequence, offset));
        if (decoded instanceof Entry.ConfigurationChange) {
            group.configurations.put(index, new Entry(index, term, decoded));
        }
    }

    private static boolean laterLife(GroupIdentity before, GroupIdentity after) {
        return before.groupName().equals(after.groupName())
                && before.member().equals(after.member())
                && after.incarnation() > before.incarnation();
    }

    private static StorageException outOfSequence(GroupState group, String what, long sequence, int offset) {
        return new StorageException(
                Reason.CORRUPT_RECORD,
                what + " of group " + group.identity.groupName() + " is out of sequence (log "
                        + group.index.snapshotIndex() + ".." + group.index.lastIndex() + ") at segment " + sequence
                        + " offset " + offset);
    }

    private void faultGroup(int number, long sequence, int offset) {
        GroupState group = groups.get(number);
        String where = "checksum mismatch at segment " + sequence + " offset " + offset;
        if (group == null) {
            faultEveryGroup(Reason.CORRUPT_RECORD, where + " (unknown group " + number + ")");
        } else {
            group.fault(new StorageException(Reason.CORRUPT_RECORD, where + " in group " + group.identity.groupName()));
        }
    }

    private void faultEveryGroup(Reason reason, String message) {
        StorageException fault = new StorageException(reason, message + " (cannot tell which group; all faulted)");
        unattributedDamage = fault;
        for (GroupState group : groups.values()) {
            group.fault(fault);
        }
    }

    private void openSegment(long sequence, Path path, RecordFormat.SegmentFormat format) throws StorageException {
        try {
            segments.add(new Segment(sequence, path, options.fileLayer().open(path), format));
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot open segment " + path, e);
        }
    }

    /**
     * A segment older than the oldest version still read (version 1: configurations without incarnations, whose
     * payloads this version cannot decode) fails every check of this version and would read as damage from its first
     * byte. Its header, checked the old way (unmasked), says so; refuse it with a typed error rather than fault every
     * group. Version 2 segments are read ({@link RecordFormat.SegmentFormat#UNMASKED}).
     */
    private static void refuseOlderFormat(Path path, ByteBuffer data, RecordFormat.SegmentFormat format)
            throws StorageException {
        boolean olderHeader = RecordFormat.isValidHeader(data, 0, data.limit(), 0)
                && RecordFormat.isValidPayload(data, 0)
                && data.get(9) < RecordFormat.UNMASKED_VERSION;
        if (olderHeader && headerOf(data, format) == null) {
            throw new StorageException(
                    Reason.UNSUPPORTED_VERSION,
                    path + " has record version " + data.get(9) + " (this release reads "
                            + RecordFormat.UNMASKED_VERSION + " to " + RecordFormat.VERSION + ")");
        }
    }

    /**
     * The format of segment {@code sequence}. A version-2 header counts only if it names this segment: a retired
     * version-2 file reused under a new name still starts with its old header until the new one is written, and its
     * old records must read as stale, never as this segment's.
     */
    private static RecordFormat.SegmentFormat formatOf(ByteBuffer data, long sequence) {
        RecordFormat.SegmentFormat format = RecordFormat.SegmentFormat.of(data, sequence);
        if (format == RecordFormat.SegmentFormat.UNMASKED) {
            SegmentHeader header = headerOf(data, format);
            if (header == null || header.sequence() != sequence) {
                return RecordFormat.SegmentFormat.current(sequence);
            }
        }
        return format;
    }

    private static SegmentHeader headerOf(ByteBuffer data, RecordFormat.SegmentFormat format) {
        if (!RecordFormat.isValidHeader(data, 0, data.limit(), format.mask())
                || !RecordFormat.isValidPayload(data, 0)) {
            return null;
        }
        if (RecordType.of(data.get(8)) != RecordType.SEGMENT_HEADER) {
            return null;
        }
        ByteBuffer payload = data.duplicate();
        payload.limit(data.getInt(0)).position(RecordFormat.HEADER_BYTES);
        try {
            return SegmentHeader.read(payload.slice());
        } catch (CodecException | BufferUnderflowException | IllegalArgumentException undecodable) {
            return null;
        }
    }

    /**
     * The first bytes of a segment, enough for its header record: {@link #HEAD_BYTES}, or the whole header when its
     * length field says it is longer, or the whole file when it is shorter.
     */
    private ByteBuffer readHead(Path path) throws StorageException {
        try (StorageFile file = options.fileLayer().openReadOnly(path)) {
            long size = file.size();
            int length = (int) Math.min(size, HEAD_BYTES);
            ByteBuffer head = ByteBuffer.allocate(length);
            file.readFully(head, 0);
            head.flip();
            if (length >= 4 && head.getInt(0) > length && head.getInt(0) <= size) {
                ByteBuffer whole = ByteBuffer.allocate(head.getInt(0));
                file.readFully(whole, 0);
                whole.flip();
                return whole;
            }
            return head;
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot read segment " + path, e);
        }
    }

    private ByteBuffer readAll(Path path) throws StorageException {
        try (StorageFile file = options.fileLayer().openReadOnly(path)) {
            long size = file.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new StorageException(Reason.CORRUPT_RECORD, "segment " + path + " is too large: " + size);
            }
            ByteBuffer data = ByteBuffer.allocate((int) size);
            file.readFully(data, 0);
            data.flip();
            return data;
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot read segment " + path, e);
        }
    }
}
