package dev.echo.core.protocol;

import java.util.Arrays;

/**
 * A value per log entry that changes rarely along the log, held as runs: the index where each value's entries start.
 * A log holds few terms and many entries, so the member's log answers {@link ReplicationLog#termAt} for entries whose
 * bodies are no longer in memory (PROTOCOL.md §4: the consistency check and elections need every term, never old
 * bodies) in space proportional to the number of terms; the journal's index keeps both the terms and the segments
 * of its entries this way. Values never repeat in adjacent runs.
 *
 * <p>Public only for the journal's index (this package is exported to Echo's modules alone). Not thread-safe; owned
 * by one log or index.
 */
public final class IndexRuns {
    private long[] starts = new long[8];
    private long[] values = new long[8];
    private int count;
    /** The index of the last entry described, or the index before the first run when there is none. */
    private long lastIndex;

    /** Runs for a log whose entries start after {@code baseIndex}. */
    public IndexRuns(long baseIndex) {
        this.lastIndex = baseIndex;
    }

    /** The index of the last entry described (the base index when none is). */
    public long lastIndex() {
        return lastIndex;
    }

    /** Records that the entry after the last, {@code index}, has {@code value}. */
    public void append(long index, long value) {
        assert index == lastIndex + 1 : index + " after " + lastIndex;
        appendThrough(index, value);
    }

    /** Records that every entry after the last, up to {@code throughIndex}, has {@code value}. */
    public void appendThrough(long throughIndex, long value) {
        assert throughIndex > lastIndex : throughIndex + " after " + lastIndex;
        long index = lastIndex + 1;
        if (count == 0 || values[count - 1] != value) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                values = Arrays.copyOf(values, count * 2);
            }
            starts[count] = index;
            values[count] = value;
            count++;
        }
        lastIndex = throughIndex;
    }

    /** The value of the entry at {@code index}; 0 if that entry is not described. */
    public long valueAt(long index) {
        int run = runOf(index);
        return run < 0 ? 0 : values[run];
    }

    /** The first index of the run holding {@code index}: where that entry's value starts. */
    long runStart(long index) {
        int run = runOf(index);
        return run < 0 ? index : starts[run];
    }

    /** The last index holding {@code value}, or -1 when none has it; the values must ascend along the log (terms). */
    long lastIndexOf(long value) {
        for (int run = count - 1; run >= 0; run--) {
            if (values[run] == value) {
                return run == count - 1 ? lastIndex : starts[run + 1] - 1;
            }
            if (values[run] < value) {
                return -1;
            }
        }
        return -1;
    }

    /** The number of runs. */
    public int runs() {
        return count;
    }

    /** The first index of run {@code run}, counted from 0. */
    public long startOfRun(int run) {
        return starts[run];
    }

    /** The value of run {@code run}, counted from 0. */
    public long valueOfRun(int run) {
        return values[run];
    }

    /** Forgets every entry at {@code index} or later. */
    public void truncateFrom(long index) {
        while (count > 0 && starts[count - 1] >= index) {
            count--;
        }
        lastIndex = Math.min(lastIndex, index - 1);
    }

    /** Forgets every entry up to {@code index}; the runs then describe only later ones. */
    public void dropThrough(long index) {
        int keepFrom = 0;
        while (keepFrom + 1 < count && starts[keepFrom + 1] <= index + 1) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(starts, keepFrom, starts, 0, count - keepFrom);
            System.arraycopy(values, keepFrom, values, 0, count - keepFrom);
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
    public void reset(long baseIndex) {
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
