package dev.echo.journal;

import dev.echo.core.protocol.IndexRuns;
import dev.echo.core.protocol.LogOutline;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each of one group's log entries sits in the journal, kept in memory and rebuilt on open: for every index from
 * the snapshot's to the last, the entry's term and packed position ({@link #pack}). A position of {@link #UNAVAILABLE}
 * marks an entry that lived in a segment recovery no longer has.
 *
 * <p>It costs about two bytes per entry: terms and segments change rarely along a log, so they are kept as runs (the
 * index where each starts), and only the offset within the segment is kept per entry, as a distance from the one
 * before ({@link PackedOffsets}). A group that never snapshots holds
 * millions of entries on disk and only a cache of them in memory (docs/architecture.md, "The log cache"); its index
 * must stay small too.
 *
 * <p>Threading: the writer thread mutates it; readers on other threads look positions up. Every method is
 * synchronized on the index.
 */
final class LogIndex {
    static final long UNAVAILABLE = -1;
    private static final int OFFSET_BITS = 40;
    /** The segment of a run of entries that are {@link #UNAVAILABLE}. */
    private static final long NO_SEGMENT = -1;

    private long snapshotIndex;
    private long snapshotTerm;
    private final IndexRuns terms;
    private final IndexRuns segments;
    private final PackedOffsets offsets;
    private int size;

    LogIndex(long snapshotIndex, long snapshotTerm) {
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        this.offsets = new PackedOffsets(snapshotIndex + 1);
        this.terms = new IndexRuns(snapshotIndex);
        this.segments = new IndexRuns(snapshotIndex);
    }

    /** Packs a segment sequence number and a byte offset into one position. */
    static long pack(long segment, long offset) {
        assert segment >= 0 && segment < (1L << 23) && offset >= 0 && offset < (1L << OFFSET_BITS);
        return (segment << OFFSET_BITS) | offset;
    }

    static long segmentOf(long position) {
        return position >>> OFFSET_BITS;
    }

    static long offsetOf(long position) {
        return position & ((1L << OFFSET_BITS) - 1);
    }

    synchronized long snapshotIndex() {
        return snapshotIndex;
    }

    synchronized long snapshotTerm() {
        return snapshotTerm;
    }

    synchronized long lastIndex() {
        return snapshotIndex + size;
    }

    /** The term at {@code index}: the snapshot's at the snapshot index, 0 outside the log. */
    synchronized long termAt(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > snapshotIndex + size) {
            return 0;
        }
        return terms.valueAt(index);
    }

    /** The packed position of the entry at {@code index}, which must be in the log. */
    synchronized long positionAt(long index) {
        if (index <= snapshotIndex || index > snapshotIndex + size) {
            throw new IllegalArgumentException(
                    "index " + index + " outside the log " + (snapshotIndex + 1) + ".." + (snapshotIndex + size));
        }
        long segment = segments.valueAt(index);
        return segment == NO_SEGMENT ? UNAVAILABLE : pack(segment, offsets.get(index));
    }

    /** Where each term starts in the log, for a {@link dev.echo.core.protocol.LogOutline}. */
    synchronized List<LogOutline.TermStart> termStarts() {
        List<LogOutline.TermStart> starts = new ArrayList<>(terms.runs());
        for (int run = 0; run < terms.runs(); run++) {
            starts.add(new LogOutline.TermStart(terms.startOfRun(run), terms.valueOfRun(run)));
        }
        return starts;
    }

    /** Appends the entry after the last. */
    synchronized void append(long index, long term, long position) {
        if (index != snapshotIndex + size + 1) {
            throw new IllegalStateException("entry " + index + " does not follow " + (snapshotIndex + size));
        }
        terms.append(index, term);
        if (position == UNAVAILABLE) {
            segments.append(index, NO_SEGMENT);
            offsets.append(index, offsets.lastOffset()); // never read: repeating the last costs no escape
        } else {
            segments.append(index, segmentOf(position));
            offsets.append(index, Math.toIntExact(offsetOf(position))); // segments are at most an int's bytes long
        }
        size++;
    }

    /** Discards every entry at {@code index} or later. */
    synchronized void truncateFrom(long index) {
        if (index <= snapshotIndex) {
            throw new IllegalStateException("cannot truncate at " + index + ", inside the snapshot " + snapshotIndex);
        }
        size = (int) Math.min(size, index - snapshotIndex - 1);
        offsets.truncateFrom(index);
        terms.truncateFrom(index);
        segments.truncateFrom(index);
    }

    /**
     * Whether compacting to ({@code index}, {@code term}) keeps the entries after it: only if the log holds that very
     * entry (same index and term).
     */
    synchronized boolean matches(long index, long term) {
        return index > snapshotIndex && index <= snapshotIndex + size && termAt(index) == term;
    }

    /** Makes ({@code index}, {@code term}) the snapshot; keeps the later entries or discards the whole log. */
    synchronized void compact(long index, long term, boolean keepSuffix) {
        if (keepSuffix) {
            size -= (int) (index - snapshotIndex);
            offsets.dropThrough(index);
            terms.dropThrough(index);
            segments.dropThrough(index);
        } else {
            size = 0;
            offsets.reset(index + 1);
        }
        snapshotIndex = index;
        snapshotTerm = term;
        if (size == 0) {
            terms.reset(index);
            segments.reset(index);
        }
    }

    /**
     * The lowest segment sequence holding a live entry, or {@code Long.MAX_VALUE} if none. Positions grow along the
     * log (entries are appended in journal order and a truncation removes a suffix), so the first available entry
     * has the lowest.
     */
    synchronized long oldestSegment() {
        for (int run = 0; run < segments.runs(); run++) {
            if (segments.valueOfRun(run) != NO_SEGMENT) {
                return segments.valueOfRun(run);
            }
        }
        return Long.MAX_VALUE;
    }

    /** The first live index whose position is {@link #UNAVAILABLE}, or 0 if every entry is available. */
    synchronized long firstUnavailable() {
        for (int run = 0; run < segments.runs(); run++) {
            if (segments.valueOfRun(run) == NO_SEGMENT) {
                return segments.startOfRun(run);
            }
        }
        return 0;
    }
}
