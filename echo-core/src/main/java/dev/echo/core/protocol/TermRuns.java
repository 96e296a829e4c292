package dev.echo.core.protocol;

import java.util.Arrays;

/**
 * The term of every entry of a log, held as runs: the index where each term's entries start. A log holds few terms
 * and many entries, so this answers {@link ReplicationLog#termAt} for entries whose bodies are no longer in memory
 * (PROTOCOL.md §4: the consistency check and elections need every term, never old bodies) in space proportional to
 * the number of terms. Not thread-safe; owned by its {@link ReplicationLog}.
 */
final class TermRuns {
    private long[] starts = new long[8];
    private long[] terms = new long[8];
    private int count;
    /** The index of the last entry described, or the index before the first run when there is none. */
    private long lastIndex;

    /** Runs for a log whose entries start after {@code baseIndex}. */
    TermRuns(long baseIndex) {
        this.lastIndex = baseIndex;
    }

    long lastIndex() {
        return lastIndex;
    }

    /** Records that the entry after the last has {@code term}, which must be at least the last term. */
    void append(long index, long term) {
        assert index == lastIndex + 1 : index + " after " + lastIndex;
        appendThrough(index, term);
    }

    /** Records that every entry after the last, up to {@code throughIndex}, has {@code term}. */
    void appendThrough(long throughIndex, long term) {
        assert throughIndex > lastIndex : throughIndex + " after " + lastIndex;
        long index = lastIndex + 1;
        if (count == 0 || terms[count - 1] != term) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                terms = Arrays.copyOf(terms, count * 2);
            }
            starts[count] = index;
            terms[count] = term;
            count++;
        }
        lastIndex = throughIndex;
    }

    /** The term of the entry at {@code index}, which must be described; 0 if none is. */
    long termAt(long index) {
        int run = runOf(index);
        return run < 0 ? 0 : terms[run];
    }

    /** The first index of the run holding {@code index}: where that entry's term starts. */
    long runStart(long index) {
        int run = runOf(index);
        return run < 0 ? index : starts[run];
    }

    /** The last index holding {@code term}, or -1 when no entry has it. */
    long lastIndexOf(long term) {
        for (int run = count - 1; run >= 0; run--) {
            if (terms[run] == term) {
                return run == count - 1 ? lastIndex : starts[run + 1] - 1;
            }
            if (terms[run] < term) {
                return -1;
            }
        }
        return -1;
    }

    /** Forgets every entry at {@code index} or later. */
    void truncateFrom(long index) {
        while (count > 0 && starts[count - 1] >= index) {
            count--;
        }
        lastIndex = Math.min(lastIndex, index - 1);
    }

    /** Forgets every entry up to {@code index}; the runs then describe only later ones. */
    void dropThrough(long index) {
        int keepFrom = 0;
        while (keepFrom + 1 < count && starts[keepFrom + 1] <= index + 1) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(starts, keepFrom, starts, 0, count - keepFrom);
            System.arraycopy(terms, keepFrom, terms, 0, count - keepFrom);
            count -= keepFrom;
        }
        if (index >= lastIndex) {
            count = 0;
            lastIndex = index;
        } else if (count > 0) {
            starts[0] = Math.max(starts[0], index + 1);
        }
    }

    /** Forgets everything; the next entry follows {@code baseIndex}. */
    void reset(long baseIndex) {
        count = 0;
        lastIndex = baseIndex;
    }

    private int runOf(long index) {
        if (count == 0 || index < starts[0] || index > lastIndex) {
            return -1;
        }
        int found = Arrays.binarySearch(starts, 0, count, index);
        return found >= 0 ? found : -found - 2;
    }
}
