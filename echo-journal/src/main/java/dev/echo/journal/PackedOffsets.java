package dev.echo.journal;

import java.util.Arrays;
import java.util.TreeMap;

/**
 * The offsets of a group's consecutive log entries within their segments, at about two bytes per entry: each entry
 * stores the distance from the entry before it, and every {@value #BLOCK}th entry, an anchor, stores its offset in
 * full. An entry whose distance does not fit (the first after a gap, a truncation or a new segment; an entry after a
 * very large record of another group) is an escape, its offset kept in a side map. Reading an offset adds at most a
 * block's distances. Keyed by absolute log index; a compaction drops whole blocks only, so the distances an entry
 * needs stay.
 *
 * <p>Not thread-safe: its {@link LogIndex} guards it.
 */
final class PackedOffsets {
    private static final int BLOCK = 32;
    private static final char ESCAPE = Character.MAX_VALUE;

    /** The index of {@code deltas[0]}: a multiple of {@link #BLOCK}, at or before the first entry. */
    private long base;
    /** The first index holding an entry; the positions before it in its block are padding, never read. */
    private long firstIndex;

    private char[] deltas = new char[64];
    private int[] anchors = new int[2];
    /** Positions used from {@link #base}, padding included. */
    private int count;

    private final TreeMap<Long, Integer> escaped = new TreeMap<>();
    private boolean hasPrevious;
    private int previousOffset;

    PackedOffsets(long firstIndex) {
        reset(firstIndex);
    }

    /** Forgets everything; the next entry appended is {@code firstIndex}. */
    void reset(long firstIndex) {
        this.firstIndex = firstIndex;
        base = firstIndex / BLOCK * BLOCK;
        count = (int) (firstIndex - base);
        escaped.clear();
        hasPrevious = false;
        ensureCapacity(count + 1);
    }

    /** The offset of the last entry appended, or 0 if none: what an entry without a position of its own repeats. */
    int lastOffset() {
        return hasPrevious ? previousOffset : 0;
    }

    /** Appends the offset of entry {@code index}, which must follow the last. */
    void append(long index, int offset) {
        int p = (int) (index - base);
        assert p == count : "entry " + index + " after position " + count;
        ensureCapacity(p + 1);
        if (p % BLOCK == 0) {
            anchors[p / BLOCK] = offset;
            deltas[p] = 0;
        } else if (hasPrevious && offset >= previousOffset && offset - previousOffset < ESCAPE) {
            deltas[p] = (char) (offset - previousOffset);
        } else {
            deltas[p] = ESCAPE;
            escaped.put(index, offset);
        }
        previousOffset = offset;
        hasPrevious = true;
        count++;
    }

    /** The offset of entry {@code index}, which must be held. */
    int get(long index) {
        int p = (int) (index - base);
        int blockStart = p / BLOCK * BLOCK;
        int sum = 0;
        for (int q = p; ; q--) {
            if (q == blockStart) {
                return anchors[q / BLOCK] + sum;
            }
            if (deltas[q] == ESCAPE) {
                return escaped.get(base + q) + sum;
            }
            sum += deltas[q];
        }
    }

    /** Forgets the entries from {@code index} on. */
    void truncateFrom(long index) {
        count = (int) Math.min(count, index - base);
        escaped.tailMap(index, true).clear();
        hasPrevious = index - 1 >= firstIndex;
        if (hasPrevious) {
            previousOffset = get(index - 1);
        }
    }

    /** Forgets the entries up to {@code index}; the ones after it keep their offsets. */
    void dropThrough(long index) {
        long newFirst = index + 1;
        long newBase = newFirst / BLOCK * BLOCK;
        int shift = (int) (newBase - base);
        if (shift >= count) {
            reset(newFirst);
            return;
        }
        System.arraycopy(deltas, shift, deltas, 0, count - shift);
        int blocks = (count + BLOCK - 1) / BLOCK;
        System.arraycopy(anchors, shift / BLOCK, anchors, 0, blocks - shift / BLOCK);
        count -= shift;
        base = newBase;
        firstIndex = newFirst;
        escaped.headMap(newBase, false).clear();
    }

    /**
     * Grows by a quarter, not by doubling: at ten million entries a doubling would leave up to 20 MB unused, a
     * third of a default log cache.
     */
    private void ensureCapacity(int positions) {
        if (positions > deltas.length) {
            deltas = Arrays.copyOf(deltas, Math.max(positions, deltas.length + deltas.length / 4 + 16));
        }
        int blocks = (positions + BLOCK - 1) / BLOCK;
        if (blocks > anchors.length) {
            anchors = Arrays.copyOf(anchors, Math.max(blocks, anchors.length * 2));
        }
    }
}
