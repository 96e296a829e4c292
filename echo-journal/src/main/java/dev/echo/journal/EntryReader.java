package dev.echo.journal;

import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.EntryCodec;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.protocol.Entry;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;

/**
 * The journal's read path ({@link dev.echo.core.storage.GroupJournal#read}): a group's entries, found through its
 * {@link LogIndex}, read back from the segments in spans. A group's entries follow each other in a segment,
 * interleaved at most with other groups' records, so a run of them is read with two reads (the span up to the last
 * one's header, then the last one's body), not two per entry: a follower far behind is streamed at close to the
 * disk's sequential speed (docs/architecture.md, "The log cache"). Every record read is checked: its header, its
 * group and index, and its checksum.
 *
 * <p>Threading: thread-safe; called from any thread. It reads positions under the index's lock, then the files
 * without it.
 */
final class EntryReader {
    /** The most bytes one span read covers, other groups' records included. */
    private static final int MAX_SPAN_BYTES = 4 << 20;
    /** The most entries one span covers. */
    private static final int MAX_SPAN_ENTRIES = 16_384;

    private final ConcurrentNavigableMap<Long, Segment> segments;
    private final EntryCodec codec;
    private final int maxRecordBytes;
    private final MetricsSink.Counter entriesRead;

    EntryReader(
            ConcurrentNavigableMap<Long, Segment> segments,
            EntryCodec codec,
            int maxRecordBytes,
            MetricsSink.Counter entriesRead) {
        this.segments = segments;
        this.codec = codec;
        this.maxRecordBytes = maxRecordBytes;
        this.entriesRead = entriesRead;
    }

    /** Reads {@code state}'s entries {@code [fromIndex, toIndexExclusive)}, as {@code GroupJournal.read} says. */
    List<Entry> read(GroupState state, long fromIndex, long toIndexExclusive, long maxBytes) throws StorageException {
        List<Entry> entries = new ArrayList<>();
        long bytes = 0;
        long next = fromIndex;
        checkRange(state.index, fromIndex, toIndexExclusive);
        while (next < toIndexExclusive && (entries.isEmpty() || bytes < maxBytes)) {
            Span span = nextSpan(state.index, next, toIndexExclusive);
            bytes += readSpan(state, span, entries, maxBytes - bytes);
            next = fromIndex + entries.size();
            if (next < span.firstIndex + span.count()) {
                break; // stopped inside the span: the bytes are read
            }
        }
        entriesRead.add(entries.size());
        return entries;
    }

    private static void checkRange(LogIndex index, long fromIndex, long toIndexExclusive) throws StorageException {
        synchronized (index) {
            if (fromIndex <= index.snapshotIndex()
                    || toIndexExclusive > index.lastIndex() + 1
                    || fromIndex > toIndexExclusive) {
                throw new StorageException(
                        Reason.ILLEGAL_STATE,
                        "read " + fromIndex + ".." + (toIndexExclusive - 1) + " outside the log "
                                + (index.snapshotIndex() + 1) + ".." + index.lastIndex());
            }
        }
    }

    /**
     * Entries from {@code from} in one segment, for one span read: their terms and offsets, taken under the index's
     * lock (a compaction may run meanwhile; a segment it frees is then found missing when read).
     */
    private Span nextSpan(LogIndex index, long from, long toIndexExclusive) throws StorageException {
        synchronized (index) {
            if (from <= index.snapshotIndex() || from > index.lastIndex()) {
                throw new StorageException(
                        Reason.ILLEGAL_STATE, "entry " + from + " was compacted away or truncated while read");
            }
            long first = index.positionAt(from);
            if (first == LogIndex.UNAVAILABLE) {
                throw new StorageException(Reason.MISSING_SEGMENT, "entry " + from + " is in a missing segment");
            }
            long segment = LogIndex.segmentOf(first);
            long firstOffset = LogIndex.offsetOf(first);
            long end = Math.min(Math.min(toIndexExclusive, index.lastIndex() + 1), from + MAX_SPAN_ENTRIES);
            long[] offsets = new long[(int) (end - from)];
            long[] terms = new long[offsets.length];
            int count = 0;
            for (long i = from; i < end; i++, count++) {
                long position = index.positionAt(i);
                if (position == LogIndex.UNAVAILABLE
                        || LogIndex.segmentOf(position) != segment
                        || (i > from && LogIndex.offsetOf(position) - firstOffset > MAX_SPAN_BYTES)) {
                    break;
                }
                offsets[count] = LogIndex.offsetOf(position);
                terms[count] = index.termAt(i);
            }
            return new Span(from, segment, offsets, terms, count);
        }
    }

    /** Reads a span's entries into {@code out}, stopping once {@code budget} bytes are read; returns the bytes. */
    private long readSpan(GroupState state, Span span, List<Entry> out, long budget) throws StorageException {
        Segment segment = segments.get(span.segment);
        if (segment == null) {
            throw new StorageException(
                    Reason.ILLEGAL_STATE, "entry " + span.firstIndex + " was compacted away while read");
        }
        long start = span.offsets[0];
        long lastOffset = span.offsets[span.count() - 1];
        try {
            ByteBuffer data = ByteBuffer.allocate((int) (lastOffset - start) + RecordFormat.HEADER_BYTES);
            if (segment.file.readFully(data, start) < data.capacity()) {
                throw damaged(segment, span.firstIndex + span.count() - 1, lastOffset, "is cut short");
            }
            long bytes = 0;
            for (int i = 0; i < span.count() && (out.isEmpty() || bytes < budget); i++) {
                long index = span.firstIndex + i;
                int at = (int) (span.offsets[i] - start);
                ByteBuffer record = i < span.count() - 1 ? data : readLast(segment, data, at, index, lastOffset);
                int recordAt = i < span.count() - 1 ? at : 0;
                ByteBuffer payload = checkedPayload(record, recordAt, segment, state.number, index, span.offsets[i]);
                bytes += payload.remaining();
                try {
                    out.add(new Entry(index, span.terms[i], codec.readPayload(payload)));
                } catch (CodecException e) {
                    throw new StorageException(Reason.CORRUPT_RECORD, "entry " + index + ": " + e.getMessage());
                }
            }
            return bytes;
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot read segment " + segment.path, e);
        }
    }

    /** The whole last record of a span, whose header {@code data} holds at {@code at}. */
    private ByteBuffer readLast(Segment segment, ByteBuffer data, int at, long index, long offset)
            throws IOException, StorageException {
        checkHeader(data, at, segment, offset, index);
        ByteBuffer record = ByteBuffer.allocate(data.getInt(at));
        if (segment.file.readFully(record, offset) < record.capacity()) {
            throw damaged(segment, index, offset, "is cut short");
        }
        return record;
    }

    /** The payload of the record at {@code at} in {@code data}, once its header, owner and checksum are checked. */
    private ByteBuffer checkedPayload(ByteBuffer data, int at, Segment segment, int group, long index, long offset)
            throws StorageException {
        checkHeader(data, at, segment, offset, index);
        if (data.getInt(at + 12) != group || data.getLong(at + 24) != index) {
            throw damaged(segment, index, offset, "belongs to another entry");
        }
        int length = data.getInt(at);
        if (at + length > data.limit() || !RecordFormat.isValidPayload(data, at)) {
            throw damaged(segment, index, offset, "fails its checksum");
        }
        ByteBuffer payload = data.duplicate();
        payload.limit(at + length).position(at + RecordFormat.HEADER_BYTES);
        return payload.slice();
    }

    private void checkHeader(ByteBuffer data, int at, Segment segment, long offset, long index)
            throws StorageException {
        if (!RecordFormat.isValidHeader(data, at, Integer.MAX_VALUE, segment.format.mask())
                || data.getInt(at) > maxRecordBytes) {
            throw damaged(segment, index, offset, "is damaged");
        }
    }

    private static StorageException damaged(Segment segment, long index, long offset, String how) {
        return new StorageException(
                Reason.CORRUPT_RECORD,
                "record of entry " + index + " at segment " + segment.sequence + " offset " + offset + " " + how);
    }

    /** Entries from {@code firstIndex} in one segment: their offsets and terms. */
    private record Span(long firstIndex, long segment, long[] offsets, long[] terms, int count) {}
}
