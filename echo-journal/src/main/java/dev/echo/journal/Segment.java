package dev.echo.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One segment file of the journal. Records never span segments; a segment's records end where the next segment's
 * header says ({@link SegmentHeader#previousEnd()}).
 *
 * <p>Threading: the writer thread writes and forces; readers use positional reads concurrently.
 */
final class Segment {
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".log";
    static final String PREALLOCATED_SUFFIX = ".prealloc";

    final long sequence;
    final Path path;
    final StorageFile file;
    /** How its records are checked: this version's, or version 2's for a segment an older release wrote. */
    final RecordFormat.SegmentFormat format;

    /** A segment in this version's format. */
    Segment(long sequence, Path path, StorageFile file) {
        this(sequence, path, file, RecordFormat.SegmentFormat.current(sequence));
    }

    Segment(long sequence, Path path, StorageFile file, RecordFormat.SegmentFormat format) {
        this.sequence = sequence;
        this.path = path;
        this.file = file;
        this.format = format;
    }

    static String fileName(long sequence) {
        return String.format("%s%016d%s", PREFIX, sequence, SUFFIX);
    }

    /** The sequence number of a segment file name, or -1 if the name is not a segment's. */
    static long sequenceOf(Path path) {
        String name = path.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || name.length() != PREFIX.length() + 16 + 4) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 16));
        } catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    void closeQuietly() {
        try {
            file.close();
        } catch (IOException ignored) {
            // Closing after the data was forced (or the journal failed) cannot lose anything acknowledged.
        }
    }
}
