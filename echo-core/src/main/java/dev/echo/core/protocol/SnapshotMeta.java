package dev.echo.core.protocol;

import java.util.Objects;

/**
 * What a snapshot covers (PROTOCOL.md §5): every entry up to {@code index}, the term of that entry, and the
 * configuration in force there with the index of the entry that made it. Immutable.
 *
 * @param index the last log index the snapshot covers, at least 1; 0 only for {@link #beforeFirstEntry}
 * @param term the term of the entry at {@code index}, at least 1; 0 only for {@link #beforeFirstEntry}
 * @param configuration the configuration in force at {@code index}
 * @param configurationIndex the log index of {@code configuration}'s entry, 0 for the bootstrap configuration: the
 *     epoch of the view a member restored from this snapshot reports, the same as at a member that applied the
 *     entry (PROTOCOL.md §13). At most {@code index}.
 */
public record SnapshotMeta(long index, long term, QuorumSystem configuration, long configurationIndex) {
    /**
     * The empty state before entry 1, with the bootstrap configuration: what a log restarted from scratch starts
     * after. A journal compacted to it drops every entry (and any damage). Never stored or sent as a snapshot.
     */
    public static SnapshotMeta beforeFirstEntry(QuorumSystem bootstrap) {
        return new SnapshotMeta(0, 0, bootstrap, 0);
    }

    /** Validates the position. */
    public SnapshotMeta {
        if (index < 0 || term < 0 || (index == 0) != (term == 0)) {
            throw new IllegalArgumentException("snapshot index and term start at 1: " + index + "/" + term);
        }
        if (configurationIndex < 0 || configurationIndex > index) {
            throw new IllegalArgumentException(
                    "configuration index " + configurationIndex + " is not within the snapshot's " + index);
        }
        Objects.requireNonNull(configuration, "configuration");
    }
}
