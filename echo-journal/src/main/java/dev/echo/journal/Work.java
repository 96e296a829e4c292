package dev.echo.journal;

import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.GroupIdentity;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** What group threads hand the journal's writer. Immutable once queued; the writer thread consumes it. */
sealed interface Work {
    /**
     * One core persist, encoded on the caller's thread: an optional HARD_STATE record, then ENTRY records. The writer
     * adds a TRUNCATE record when {@code firstIndex} does not follow its log.
     *
     * @param group the group
     * @param ticket the ticket to report
     * @param hardState the new term/vote, or {@code null}
     * @param records the encoded records, hard state first
     * @param entryOffsets where each ENTRY record starts in {@code records}
     * @param firstIndex the index of the first entry (or the truncation point)
     * @param terms the term of each entry
     */
    record Append(
            FileGroupJournal group,
            long ticket,
            HardState hardState,
            ByteBuffer records,
            int[] entryOffsets,
            long firstIndex,
            long[] terms)
            implements Work {}

    /**
     * Discard a group's log up to a committed snapshot.
     *
     * @param group the group
     * @param snapshot the snapshot
     * @param ticket the ticket to report
     */
    record Compact(FileGroupJournal group, SnapshotMeta snapshot, long ticket) implements Work {}

    /**
     * Register a group durably: a new one, or an existing one under a later incarnation of its member.
     *
     * @param group the group's state
     * @param identity the identity to record (and to give the group's state)
     * @param done completed once the registration is forced
     */
    record Register(GroupState group, GroupIdentity identity, CompletableFuture<Void> done) implements Work {}

    /**
     * Write and force everything before this, then stop.
     *
     * @param done completed once stopped
     */
    record Stop(CompletableFuture<Void> done) implements Work {}
}
