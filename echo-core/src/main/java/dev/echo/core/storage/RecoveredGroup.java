package dev.echo.core.storage;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a group's journal held when it was opened. The log is {@code entries}, consecutive from
 * {@code snapshotIndex + 1}; everything up to {@code snapshotIndex} is in the snapshot. A present {@code fault} means
 * durable data was found damaged or missing: the member must enter {@code STORAGE_FAULTED} and be repaired from the
 * leader (PROTOCOL.md §5); the other fields then hold what could be read and must not be trusted for voting.
 * Immutable.
 *
 * @param identity the member's durable identity in the group
 * @param hardState the durable term and vote
 * @param snapshotIndex the last index covered by the snapshot, 0 if none
 * @param snapshotTerm the term of the entry at {@code snapshotIndex}, 0 if none
 * @param entries the durable log after the snapshot
 * @param fault the damage found, if any
 */
public record RecoveredGroup(
        GroupIdentity identity,
        HardState hardState,
        long snapshotIndex,
        long snapshotTerm,
        List<Entry> entries,
        Optional<StorageException> fault) {
    /** Freezes the entries and checks they follow the snapshot without gaps. */
    public RecoveredGroup {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(hardState, "hardState");
        Objects.requireNonNull(fault, "fault");
        entries = List.copyOf(entries);
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).index() != snapshotIndex + 1 + i) {
                throw new IllegalArgumentException("recovered entries are not consecutive after " + snapshotIndex);
            }
        }
    }

    /** The last index held, in the snapshot or the log. */
    public long lastIndex() {
        return snapshotIndex + entries.size();
    }
}
