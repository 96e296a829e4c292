package dev.echo.core.protocol;

import java.util.Objects;

/**
 * What a snapshot covers (PROTOCOL.md §5): every entry up to {@code index}, the term of that entry, and the
 * configuration in force there. Immutable.
 *
 * @param index the last log index the snapshot covers, at least 1; 0 only for {@link #beforeFirstEntry}
 * @param term the term of the entry at {@code index}, at least 1; 0 only for {@link #beforeFirstEntry}
 * @param configuration the configuration in force at {@code index}
 */
public record SnapshotMeta(long index, long term, QuorumSystem configuration) {
    /**
     * The empty state before entry 1, with the bootstrap configuration: what a log restarted from scratch starts
     * after. A journal compacted to it drops every entry (and any damage). Never stored or sent as a snapshot.
     */
    public static SnapshotMeta beforeFirstEntry(QuorumSystem bootstrap) {
        return new SnapshotMeta(0, 0, bootstrap);
    }

    /** Validates the position. */
    public SnapshotMeta {
        if (index < 0 || term < 0 || (index == 0) != (term == 0)) {
            throw new IllegalArgumentException("snapshot index and term start at 1: " + index + "/" + term);
        }
        Objects.requireNonNull(configuration, "configuration");
    }
}
