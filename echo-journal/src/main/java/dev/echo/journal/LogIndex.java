package dev.echo.journal;

import java.util.Arrays;

/**
 * Where each of one group's log entries sits in the journal, kept in memory and rebuilt on open: for every index from
 * the snapshot's to the last, the entry's term and packed position ({@link #pack}). A position of {@link #UNAVAILABLE}
 * marks an entry that lived in a segment recovery no longer has.
 *
 * <p>Threading: the writer thread mutates it; readers on other threads look positions up. Every method is
 * synchronized on the index.
 */
final class LogIndex {
    static final long UNAVAILABLE = -1;
    private static final int OFFSET_BITS = 40;

    private long snapshotIndex;
    private long snapshotTerm;
    private long[] terms = new long[16];
    private long[] positions = new long[16];
    private int size;

    LogIndex(long snapshotIndex, long snapshotTerm) {
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
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
        return terms[(int) (index - snapshotIndex - 1)];
    }

    /** The packed position of the entry at {@code index}, which must be in the log. */
    synchronized long positionAt(long index) {
        if (index <= snapshotIndex || index > snapshotIndex + size) {
            throw new IllegalArgumentException(
                    "index " + index + " outside the log " + (snapshotIndex + 1) + ".." + (snapshotIndex + size));
        }
        return positions[(int) (index - snapshotIndex - 1)];
    }

    /** Appends the entry after the last. */
    synchronized void append(long index, long term, long position) {
        if (index != snapshotIndex + size + 1) {
            throw new IllegalStateException("entry " + index + " does not follow " + (snapshotIndex + size));
        }
        if (size == terms.length) {
            terms = Arrays.copyOf(terms, size * 2);
            positions = Arrays.copyOf(positions, size * 2);
        }
        terms[size] = term;
        positions[size] = position;
        size++;
    }

    /** Discards every entry at {@code index} or later. */
    synchronized void truncateFrom(long index) {
        if (index <= snapshotIndex) {
            throw new IllegalStateException("cannot truncate at " + index + ", inside the snapshot " + snapshotIndex);
        }
        size = (int) Math.min(size, index - snapshotIndex - 1);
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
            int dropped = (int) (index - snapshotIndex);
            System.arraycopy(terms, dropped, terms, 0, size - dropped);
            System.arraycopy(positions, dropped, positions, 0, size - dropped);
            size -= dropped;
        } else {
            size = 0;
        }
        snapshotIndex = index;
        snapshotTerm = term;
    }

    /**
     * The lowest segment sequence holding a live entry, or {@code Long.MAX_VALUE} if none. Positions grow along the
     * log (entries are appended in journal order and a truncation removes a suffix), so the first available entry
     * has the lowest.
     */
    synchronized long oldestSegment() {
        for (int i = 0; i < size; i++) {
            if (positions[i] != UNAVAILABLE) {
                return segmentOf(positions[i]);
            }
        }
        return Long.MAX_VALUE;
    }

    /** The first live index whose position is {@link #UNAVAILABLE}, or 0 if every entry is available. */
    synchronized long firstUnavailable() {
        for (int i = 0; i < size; i++) {
            if (positions[i] == UNAVAILABLE) {
                return snapshotIndex + 1 + i;
            }
        }
        return 0;
    }
}
