package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.View;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.Journal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.RecoveredGroup;
import dev.echo.core.storage.SnapshotStore;
import dev.echo.core.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes a new group's starting point into a journal: a committed snapshot holding a state taken elsewhere, the new
 * group's initial membership as the configuration in force there, and the snapshot's term as the member's term. A
 * member that then joins the group recovers from that snapshot like any restarted member (PROTOCOL.md §5 and §8): its
 * log continues after the snapshot's index, in terms above the snapshot's (log terms never go backwards), and a member
 * that lacks the state gets it by the ordinary snapshot transfer. The API is {@code dev.echo.core.node.GroupRestore}.
 *
 * <p>Stateless. {@link #seed} blocks on the journal's writes and forces; call it before the node joins the group.
 */
public final class GroupSeeding {
    /** How long to wait for the journal's writer to report the seed durable. */
    private static final long DURABLE_TIMEOUT_SECONDS = 60;

    private GroupSeeding() {}

    /** Does what {@code dev.echo.core.node.GroupRestore#seed} promises, with the same arguments and exceptions. */
    public static void seed(
            Journal journal,
            String group,
            MemberId self,
            GroupOptions options,
            long index,
            long term,
            InputStream content) {
        View membership = options.membership();
        if (membership.voters().stream().noneMatch(voter -> voter.id().equals(self)) || options.newMember()) {
            throw new IllegalArgumentException(
                    "a group is restored at its initial voters, and " + self + " is not one of " + membership.voters());
        }
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException(
                    "a snapshot covers index 1 or later, in term 1 or later: " + index + "/" + term);
        }
        SnapshotMeta meta = new SnapshotMeta(index, term, ProtocolTranslation.configuration(membership), 0);
        Durable durable = new Durable();
        try {
            GroupJournal groupJournal =
                    journal.openGroup(new GroupIdentity(group, self, options.incarnation()), durable);
            requireEmpty(group, groupJournal.recovered());
            try (SnapshotStore.Writer writer = groupJournal.snapshots().create(meta)) {
                content.transferTo(writer.stream());
                writer.commit();
            }
            groupJournal.compact(meta, 1);
            groupJournal.persist(
                    new Output.Persist(2, Optional.of(new HardState(term, Optional.empty())), index + 1, List.of()));
            journal.runQueuedWrites(); // a journal without a writer thread writes on ours
        } catch (StorageException cause) {
            throw Rejections.ofStorage("cannot restore group " + group + ": " + cause.getMessage(), cause);
        } catch (IOException unreadable) {
            throw new EchoException(
                    EchoException.Reason.STORAGE_FAILED,
                    "cannot restore group " + group + ": the snapshot cannot be read: " + unreadable.getMessage(),
                    unreadable);
        }
        durable.await(group, 2);
    }

    private static void requireEmpty(String group, RecoveredGroup recovered) {
        if (recovered.fault().isPresent()
                || recovered.snapshotIndex() != 0
                || recovered.lastIndex() != 0
                || recovered.hardState().term() != 0) {
            throw new IllegalStateException("the journal already holds group " + group + " (term "
                    + recovered.hardState().term() + ", log to " + recovered.lastIndex() + ", snapshot at "
                    + recovered.snapshotIndex() + "): a group is restored into a journal that does not hold it");
        }
    }

    /** The journal's report on the seed's writes, handed from its writer thread to the caller. */
    private static final class Durable implements PersistListener {
        private final CompletableFuture<Long> done = new CompletableFuture<>();

        @Override
        public void persisted(long ticket) {
            if (ticket >= 2) {
                done.complete(ticket);
            }
        }

        @Override
        public void failed(StorageException cause) {
            done.completeExceptionally(Rejections.ofStorage(cause.getMessage(), cause));
        }

        @Override
        public void storageFull(StorageException cause) {
            done.completeExceptionally(new EchoException(EchoException.Reason.STORAGE_FULL, cause.getMessage(), cause));
        }

        void await(String group, long ticket) {
            try {
                done.get(DURABLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException failed) {
                EchoException cause = (EchoException) failed.getCause();
                throw new EchoException(
                        cause.reason(), "cannot restore group " + group + ": " + cause.getMessage(), cause);
            } catch (TimeoutException stuck) {
                throw new EchoException(
                        EchoException.Reason.STORAGE_FAILED,
                        "cannot restore group " + group
                                + ": the journal did not report ticket " + ticket + " durable within "
                                + DURABLE_TIMEOUT_SECONDS + " s (a journal in invoker mode has no writer of its own)",
                        stuck);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new EchoException(
                        EchoException.Reason.STORAGE_FAILED, "interrupted while restoring group " + group, interrupted);
            }
        }
    }
}
