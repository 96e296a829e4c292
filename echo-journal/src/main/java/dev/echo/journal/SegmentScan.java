package dev.echo.journal;

import dev.echo.journal.rules.JournalRules;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies the bytes of one segment into records: valid ones, ones whose header is intact but whose payload is
 * damaged (attributable to a group), and gaps where no valid header could be read (not attributable). After a gap it
 * looks ahead, at every aligned offset, for the next valid record, so damage in the middle is told apart from the end
 * of the data.
 *
 * <p>Stateless apart from its result; confined to the recovering thread.
 */
final class SegmentScan {
    enum Kind {
        VALID,
        BAD_PAYLOAD,
        GAP
    }

    /**
     * One classified region.
     *
     * @param offset where it starts
     * @param kind what was found
     * @param type the record type for a valid record, else {@code null}
     */
    record Region(int offset, Kind kind, RecordType type) {}

    final List<Region> regions = new ArrayList<>();
    /** Where the data ends: after the last valid or attributable record. */
    int dataEnd;
    /** Offset of the last valid SEAL record, or -1. */
    int lastSeal = -1;

    /** Scans {@code data}, a segment's bytes in {@code format}, from 0 to {@code limit}. */
    static SegmentScan of(ByteBuffer data, int limit, RecordFormat.SegmentFormat format, JournalRules rules) {
        SegmentScan scan = new SegmentScan();
        int mask = format.mask();
        int position = 0;
        while (position + RecordFormat.HEADER_BYTES <= limit) {
            if (RecordFormat.isValidHeader(data, position, limit, mask)) {
                int length = data.getInt(position);
                if (RecordFormat.isValidPayload(data, position) || !rules.checkPayloads()) {
                    RecordType type = RecordType.of(data.get(position + 8));
                    scan.regions.add(new Region(position, Kind.VALID, type));
                    if (type == RecordType.SEAL) {
                        scan.lastSeal = position;
                    }
                } else {
                    scan.regions.add(new Region(position, Kind.BAD_PAYLOAD, null));
                }
                position += RecordFormat.paddedLength(length);
                scan.dataEnd = position;
                continue;
            }
            int next = nextValid(data, position + RecordFormat.ALIGNMENT, limit, mask);
            if (next < 0) {
                break;
            }
            scan.regions.add(new Region(position, Kind.GAP, null));
            position = next;
        }
        return scan;
    }

    /** The offset of the first damaged region, or -1 if all are valid. */
    int firstDamage() {
        for (Region region : regions) {
            if (region.kind() != Kind.VALID) {
                return region.offset();
            }
        }
        return -1;
    }

    /** Drops every region at or after {@code offset} and makes it the end of the data. */
    void cutAt(int offset) {
        regions.removeIf(region -> region.offset() >= offset);
        dataEnd = offset;
    }

    private static int nextValid(ByteBuffer data, int from, int limit, int mask) {
        for (int at = from; at + RecordFormat.HEADER_BYTES <= limit; at += RecordFormat.ALIGNMENT) {
            if (data.getInt(at) != 0
                    && RecordFormat.isValidHeader(data, at, limit, mask)
                    && RecordFormat.isValidPayload(data, at)) {
                return at;
            }
        }
        return -1;
    }
}
