package dev.echo.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The journal record layout (ARCHITECTURE.md "Formats"), big-endian, each record padded with zeros to a multiple of
 * {@link #ALIGNMENT} bytes:
 *
 * <pre>
 * 0  int   length        header + payload, without padding
 * 4  int   payloadCrc    CRC32C of the payload
 * 8  byte  type          {@link RecordType}
 * 9  byte  version       {@link #VERSION}
 * 10 short reserved      0
 * 12 int   group         group number (0 for journal-level records)
 * 16 long  term
 * 24 long  index
 * 32 int   headerCrc     CRC32C of bytes 0..31, XOR {@link #mask} of the segment's sequence
 * 36       payload
 * </pre>
 *
 * <p>The header has its own checksum so that damage to a payload can be pinned to its group, and so that recovery can
 * tell a real record from stale or random bytes when it looks past a damaged one. The checksum names the segment it
 * was written in: a recycled segment file still holds its previous life's records past the new data, and those fail
 * the check, so they read as the end of the data and never as live records. Stateless; thread-safe.
 */
final class RecordFormat {
    static final int HEADER_BYTES = 36;
    static final int ALIGNMENT = 8;
    /** 2: configurations in entries record each voter's incarnation. 3: header checksums name their segment. */
    static final byte VERSION = 3;
    /** The oldest version still read: its payloads are this version's, only its header checksums carry no mask. */
    static final byte UNMASKED_VERSION = 2;

    /**
     * How the records of one segment are checked: the version they carry and the mask of their header checksums.
     * Records never mix versions within a segment: the writer starts a segment of its own at every start.
     */
    record SegmentFormat(byte version, int mask) {
        /** A segment written by version 2, before segment reuse: read, never appended to. */
        static final SegmentFormat UNMASKED = new SegmentFormat(UNMASKED_VERSION, 0);

        /** The format this version writes segment {@code sequence} in. */
        static SegmentFormat current(long sequence) {
            return new SegmentFormat(VERSION, RecordFormat.mask(sequence));
        }

        /**
         * The format of segment {@code sequence} from its bytes: version 2 when its first record is a valid version-2
         * header (unmasked checksums), else this version's (a torn or damaged header included, which recovery then
         * judges as this version's).
         */
        static SegmentFormat of(ByteBuffer data, long sequence) {
            boolean unmasked = data.limit() > 9
                    && data.get(9) == UNMASKED_VERSION
                    && isValidHeader(data, 0, data.limit(), 0)
                    && isValidPayload(data, 0);
            return unmasked ? UNMASKED : current(sequence);
        }
    }

    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    private RecordFormat() {}

    /** The record's size on disk, including padding. */
    static int paddedLength(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Reserves the header at the buffer's position and returns where the record starts. */
    static int begin(ByteBuffer out) {
        int start = out.position();
        out.position(start + HEADER_BYTES);
        return start;
    }

    /**
     * Completes a record whose payload was written after {@link #begin}: fills in the header and both checksums and
     * pads with zeros to the alignment.
     */
    static void finish(ByteBuffer out, int start, RecordType type, int group, long term, long index) {
        int end = out.position();
        int length = end - start;
        out.putInt(start, length);
        out.putInt(start + 4, crc(out, start + HEADER_BYTES, length - HEADER_BYTES));
        out.put(start + 8, type.code);
        out.put(start + 9, VERSION);
        out.putShort(start + 10, (short) 0);
        out.putInt(start + 12, group);
        out.putLong(start + 16, term);
        out.putLong(start + 24, index);
        out.putInt(start + 32, crc(out, start, 32));
        int padded = paddedLength(length);
        for (int i = length; i < padded; i++) {
            out.put((byte) 0);
        }
    }

    /** Encoded size of a record with a payload of {@code payloadBytes}, including padding. */
    static int recordSize(int payloadBytes) {
        return paddedLength(HEADER_BYTES + payloadBytes);
    }

    /** CRC32C of {@code length} bytes of {@code buffer} from absolute {@code offset}, without moving its position. */
    static int crc(ByteBuffer buffer, int offset, int length) {
        CRC32C crc = CRC.get();
        crc.reset();
        ByteBuffer view = buffer.duplicate();
        view.limit(offset + length).position(offset);
        crc.update(view);
        return (int) crc.getValue();
    }

    /**
     * The value XORed into the header checksum of every record written in segment {@code sequence}. Multiplying by an
     * odd constant is a bijection on 32 bits, so two segments whose sequences differ by less than 2^32 never share a
     * mask, and segment 0 (none exists) is the only one without.
     */
    static int mask(long sequence) {
        return (int) sequence * 0x9E3779B9;
    }

    /**
     * Whether the 36 bytes at {@code offset} are a header with a plausible length whose checksum, unmasked with {@code
     * mask}, is valid.
     */
    static boolean isValidHeader(ByteBuffer buffer, int offset, int limit, int mask) {
        if (offset + HEADER_BYTES > limit) {
            return false;
        }
        int length = buffer.getInt(offset);
        if (length < HEADER_BYTES || length > limit - offset) {
            return false;
        }
        return (buffer.getInt(offset + 32) ^ mask) == crc(buffer, offset, 32);
    }

    /** Whether the payload of the record with a valid header at {@code offset} matches its checksum. */
    static boolean isValidPayload(ByteBuffer buffer, int offset) {
        int length = buffer.getInt(offset);
        return buffer.getInt(offset + 4) == crc(buffer, offset + HEADER_BYTES, length - HEADER_BYTES);
    }
}
