package dev.echo.core.storage;

import dev.echo.core.protocol.QuorumSystem;
import java.util.Objects;

/**
 * What a snapshot covers (PROTOCOL.md §5): every entry up to {@code index}, the term of that entry, and the
 * configuration in force there. Immutable.
 *
 * @param index the last log index the snapshot covers, at least 1
 * @param term the term of the entry at {@code index}, at least 1
 * @param configuration the configuration in force at {@code index}
 */
public record SnapshotMeta(long index, long term, QuorumSystem configuration) {
    /** Validates the position. */
    public SnapshotMeta {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("snapshot index and term start at 1: " + index + "/" + term);
        }
        Objects.requireNonNull(configuration, "configuration");
    }
}
