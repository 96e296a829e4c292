package dev.echo.core.node;

import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.runtime.GroupSeeding;
import dev.echo.core.storage.Journal;
import java.io.InputStream;
import java.util.Objects;

/**
 * Starts a new group from a snapshot: disaster recovery after a quorum is lost for good, or a copy of a group's state
 * into a new cluster (docs/operations.md, "Losing machines, and disaster recovery"). {@link #seed} writes the snapshot
 * into a member's journal as the group's starting point, under the new group's initial membership; the node then
 * joins the group with those same options and starts from that state, and a member that lacks it later (a machine
 * that joins, or an initial voter that was not seeded) receives it by snapshot transfer.
 *
 * <pre>{@code
 * GroupOptions options = GroupOptions.builder().voter(MemberId.of("n1")).build(); // one voter: the safe start
 * SnapshotFile file = SnapshotFile.read(saved);                                    // echo-journal
 * try (FileJournal journal = FileJournal.open(journalOptions); InputStream content = file.open()) {
 *     GroupRestore.seed(journal, "config", MemberId.of("n1"), options, file.index(), file.term(), content);
 * }
 * // then, as on any start: a node with a journal on the same directory joins "config" with the same options
 * }</pre>
 *
 * <p><b>Seed every initial voter, or start with one.</b> The snapshot's state is the group's state only at members
 * that hold it. Give the new group a single voter (then add machines, which receive the snapshot), or seed every voter
 * of its initial membership from the same file. A majority of voters started empty could elect a leader without the
 * state and commit a different history from index 1. Give the new group a new name, or make sure the machines of the
 * old group are gone for good, so that none of them is taken for a member of the new one.
 *
 * <p>A journal opens a group once, and the seed opens it: close that journal afterwards and give the node a journal
 * opened afresh on the same directory, as the example does.
 *
 * <p>Stateless and thread-safe. {@link #seed} blocks on disk writes and forces until the seed is durable; call it
 * before the node joins the group, on a journal with its own writer thread (not in invoker mode).
 */
public final class GroupRestore {
    private GroupRestore() {}

    /**
     * Seeds group {@code group} of member {@code self} in {@code journal} with a snapshot's content.
     *
     * @param journal the member's journal; it must not hold the group yet (or hold it with nothing recorded)
     * @param group the group's name
     * @param self the member, a voter of {@code options}' membership
     * @param options the options every initial member of the new group joins with
     * @param index the log index the snapshot covers (a snapshot file's {@code index()}), at least 1
     * @param term the term of that index (the file's {@code term()}), at least 1
     * @param content the snapshot's content, exactly as a group stored it (its exactly-once table, then the state
     *     machine's bytes); read to its end, not closed
     * @throws IllegalArgumentException if {@code self} is not a voter of the options' membership, the options describe
     *     a joining member ({@link GroupOptions.Builder#newMember()}), or the index or term is not positive
     * @throws IllegalStateException if the journal already holds state of the group: a restore never overwrites a
     *     member's state; use a new data directory
     * @throws dev.echo.core.EchoException {@code STORAGE_FAILED} if the content cannot be read or fails its checksum,
     *     or the journal fails; {@code STORAGE_FULL} if the disk is full. A failure while reading the content leaves
     *     the group empty in the journal, so the call can be repeated.
     */
    public static void seed(
            Journal journal,
            String group,
            MemberId self,
            GroupOptions options,
            long index,
            long term,
            InputStream content) {
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(content, "content");
        GroupSeeding.seed(journal, group, self, options, index, term, content);
    }
}
