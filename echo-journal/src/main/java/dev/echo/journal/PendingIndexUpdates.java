package dev.echo.journal;

import java.util.Arrays;

/**
 * Index changes the writer has staged but not yet written: an entry appended at a position, or a log truncated from
 * an index. They are published to each group's {@link LogIndex} in order once the staging buffer is written, so a
 * reader never finds a position whose bytes are not yet in the file. Kept in parallel arrays because the writer
 * stages one per record and should not allocate per record.
 *
 * <p>Threading: writer thread only.
 */
final class PendingIndexUpdates {
    private static final long TRUNCATE = -2;

    private GroupState[] groups = new GroupState[64];
    private long[] indexes = new long[64];
    private long[] terms = new long[64];
    private long[] positions = new long[64];
    private int size;

    /** Stages "entry {@code index} of {@code term} sits at {@code position}". */
    void append(GroupState group, long index, long term, long position) {
        add(group, index, term, position);
    }

    /** Stages "the log loses every entry from {@code index} on". */
    void truncateFrom(GroupState group, long index) {
        add(group, index, 0, TRUNCATE);
    }

    /** Applies every staged change in the order staged, then forgets them. */
    void publish() {
        for (int i = 0; i < size; i++) {
            LogIndex index = groups[i].index;
            if (positions[i] == TRUNCATE) {
                index.truncateFrom(indexes[i]);
            } else {
                index.append(indexes[i], terms[i], positions[i]);
            }
            groups[i] = null;
        }
        size = 0;
    }

    private void add(GroupState group, long index, long term, long position) {
        if (size == groups.length) {
            groups = Arrays.copyOf(groups, size * 2);
            indexes = Arrays.copyOf(indexes, size * 2);
            terms = Arrays.copyOf(terms, size * 2);
            positions = Arrays.copyOf(positions, size * 2);
        }
        groups[size] = group;
        indexes[size] = index;
        terms[size] = term;
        positions[size] = position;
        size++;
    }
}
