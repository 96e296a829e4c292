package dev.echo.core.storage;

import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.LogOutline;
import java.util.Objects;
import java.util.Optional;

/**
 * What a group's journal held when it was opened. The log runs from {@code snapshotIndex + 1} to {@code lastIndex};
 * everything up to {@code snapshotIndex} is in the snapshot. The entries themselves are not loaded: the runtime streams
 * them through {@link GroupJournal#read} as it builds the member (docs/architecture.md, "Recovery"), so a long log is
 * never held whole in memory. A present {@code fault} means durable data was found damaged or missing: the member must
 * enter {@code STORAGE_FAULTED} and be repaired from the leader (PROTOCOL.md §5); the other fields then hold what
 * could be read and must not be trusted for voting, and the log must not be read. Immutable.
 *
 * @param identity the member's durable identity in the group
 * @param hardState the durable term and vote
 * @param snapshotIndex the last index covered by the snapshot, 0 if none
 * @param snapshotTerm the term of the entry at {@code snapshotIndex}, 0 if none
 * @param lastIndex the last index held, in the snapshot or the log
 * @param fault the damage found, if any
 * @param outline the log's terms and configurations, if the journal recovered them: the member then needs no entry in
 *     memory to start, and the runtime reads none (empty when the group was opened before in this journal's life)
 */
public record RecoveredGroup(
        GroupIdentity identity,
        HardState hardState,
        long snapshotIndex,
        long snapshotTerm,
        long lastIndex,
        Optional<StorageException> fault,
        Optional<LogOutline> outline) {
    /** Checks the log does not end before the snapshot. */
    public RecoveredGroup {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(hardState, "hardState");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(outline, "outline");
        if (outline.isPresent() && outline.get().lastIndex() != lastIndex) {
            throw new IllegalArgumentException(
                    "the outline ends at " + outline.get().lastIndex() + ", not " + lastIndex);
        }
        if (lastIndex < snapshotIndex) {
            throw new IllegalArgumentException(
                    "the log ends at " + lastIndex + ", before the snapshot " + snapshotIndex);
        }
    }
}
