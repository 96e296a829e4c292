package dev.echo.core.protocol;

/**
 * One client session's remembered results (PROTOCOL.md §6), ordered by sequence: what {@link ClientSessions} keeps
 * until the client acknowledges them. Every replica records one per command, so this is a ring of parallel arrays
 * sorted by sequence rather than a sorted map: a session's commands are applied in nearly ascending sequence order,
 * so a result goes at the back and acknowledgements take from the front, with no boxed key, map entry or result object
 * per command. A sequence that arrives out of order (a retry that reached a new leader after a later command) is
 * inserted in its place. Not thread-safe.
 */
final class SessionResults {
    private static final long[] NO_LONGS = {};
    private static final byte[][] NO_RESULTS = {};

    /** Capacity is 0 or a power of two; the live elements are the {@link #size} from {@link #head}, wrapping. */
    private long[] sequences = NO_LONGS;

    private long[] indexes = NO_LONGS;
    private byte[][] results = NO_RESULTS;
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The lowest sequence held; there must be one. */
    long firstSequence() {
        return sequenceAt(0);
    }

    /** Forgets the result of the lowest sequence; there must be one. */
    void removeFirst() {
        results[head] = null;
        head = (head + 1) & (sequences.length - 1);
        size--;
    }

    /** The position (0 for the lowest) of {@code sequence}'s result, or -1 if none is held. */
    int find(long sequence) {
        if (beyondLast(sequence)) {
            return -1; // a new command: the common case
        }
        int at = lowestAtOrAbove(sequence);
        return at < size && sequenceAt(at) == sequence ? at : -1;
    }

    long sequenceAt(int position) {
        return sequences[slot(position)];
    }

    long indexAt(int position) {
        return indexes[slot(position)];
    }

    byte[] resultAt(int position) {
        return results[slot(position)];
    }

    /** Remembers that {@code sequence} was applied at {@code index} with {@code result}, replacing what it had. */
    void put(long sequence, long index, byte[] result) {
        int at = beyondLast(sequence) ? size : lowestAtOrAbove(sequence);
        if (at < size && sequenceAt(at) == sequence) {
            set(at, sequence, index, result);
            return;
        }
        if (size == sequences.length) {
            grow();
        }
        for (int position = size; position > at; position--) {
            set(position, sequenceAt(position - 1), indexAt(position - 1), resultAt(position - 1));
        }
        size++;
        set(at, sequence, index, result);
    }

    /** Whether {@code sequence} is above every sequence held: where nearly every command's sequence falls. */
    private boolean beyondLast(long sequence) {
        return size == 0 || sequence > sequenceAt(size - 1);
    }

    /** The first position whose sequence is at least {@code sequence}, or {@link #size}: a binary search. */
    private int lowestAtOrAbove(long sequence) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (sequenceAt(middle) < sequence) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    private void set(int position, long sequence, long index, byte[] result) {
        int slot = slot(position);
        sequences[slot] = sequence;
        indexes[slot] = index;
        results[slot] = result;
    }

    private int slot(int position) {
        return (head + position) & (sequences.length - 1);
    }

    private void grow() {
        int capacity = Math.max(4, sequences.length * 2);
        long[] newSequences = new long[capacity];
        long[] newIndexes = new long[capacity];
        byte[][] newResults = new byte[capacity][];
        for (int position = 0; position < size; position++) {
            newSequences[position] = sequenceAt(position);
            newIndexes[position] = indexAt(position);
            newResults[position] = resultAt(position);
        }
        sequences = newSequences;
        indexes = newIndexes;
        results = newResults;
        head = 0;
    }
}
