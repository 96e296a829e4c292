package dev.echo.journal;

import dev.echo.core.codec.EntryCodec;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.RecoveredGroup;
import dev.echo.core.storage.SnapshotStore;
import dev.echo.core.storage.StorageException;
import dev.echo.core.storage.StorageException.Reason;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One group's handle on the {@link FileJournal}. Persists are encoded here, on the group's thread, so the writer only
 * copies bytes; reads go straight to the segment files through the in-memory {@link LogIndex}.
 *
 * <p>Threading: as {@link GroupJournal} says: {@link #persist} and {@link #compact} from one thread at a time,
 * {@link #read} from any thread.
 */
final class FileGroupJournal implements GroupJournal {
    private final FileJournal journal;
    private final GroupState state;
    private final RecoveredGroup recovered;
    private final PersistListener listener;
    private final SnapshotStore snapshots;
    private final EntryCodec codec;

    /** The ticket to report at the end of the writer's current batch, -1 if none; writer thread only. */
    long reportTicket = -1;

    private long lastTicket = Long.MIN_VALUE;
    private long appendedLastIndex;
    private volatile StorageException broken;

    FileGroupJournal(
            FileJournal journal,
            GroupState state,
            RecoveredGroup recovered,
            PersistListener listener,
            SnapshotStore snapshots,
            EntryCodec codec) {
        this.journal = journal;
        this.state = state;
        this.recovered = recovered;
        this.listener = listener;
        this.snapshots = snapshots;
        this.codec = codec;
        this.appendedLastIndex = recovered.lastIndex();
    }

    GroupState state() {
        return state;
    }

    PersistListener listener() {
        return listener;
    }

    /** Called by the writer when this group's stream breaks the rules; later persists fail with the cause. */
    void breakStream(StorageException cause) {
        broken = cause;
        listener.failed(cause);
    }

    @Override
    public RecoveredGroup recovered() {
        return recovered;
    }

    @Override
    public void persist(Output.Persist persist) throws StorageException {
        checkUsable(persist.ticket());
        List<Entry> entries = persist.entries();
        long firstIndex = persist.firstIndex();
        if (firstIndex < 1 || (firstIndex > appendedLastIndex + 1 && !entries.isEmpty())) {
            throw new StorageException(
                    Reason.ILLEGAL_STATE,
                    "group " + state.identity.groupName() + ": entries from " + firstIndex + " would leave a gap after "
                            + appendedLastIndex);
        }
        HardState hardState = persist.hardState().orElse(null);
        int size = hardState == null ? 0 : RecordFormat.recordSize(EntryCodec.hardStateSize(hardState));
        for (Entry entry : entries) {
            int recordSize = RecordFormat.recordSize(codec.payloadSize(entry.payload()));
            if (recordSize > journal.options().maxRecordBytes()) {
                throw new StorageException(
                        Reason.RECORD_TOO_LARGE,
                        "entry " + entry.index() + " of group " + state.identity.groupName() + " needs " + recordSize
                                + " bytes; maxRecordBytes is "
                                + journal.options().maxRecordBytes());
            }
            size += recordSize;
        }
        ByteBuffer records = ByteBuffer.allocate(size);
        if (hardState != null) {
            int start = RecordFormat.begin(records);
            EntryCodec.writeHardState(hardState, records);
            RecordFormat.finish(records, start, RecordType.HARD_STATE, state.number, hardState.term(), 0);
        }
        int[] offsets = new int[entries.size()];
        long[] terms = new long[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (entry.index() != firstIndex + i) {
                throw new StorageException(Reason.ILLEGAL_STATE, "persist entries are not consecutive at " + i);
            }
            offsets[i] = records.position();
            terms[i] = entry.term();
            int start = RecordFormat.begin(records);
            codec.writePayload(entry.payload(), records);
            RecordFormat.finish(records, start, RecordType.ENTRY, state.number, entry.term(), entry.index());
        }
        records.flip();
        journal.submit(new Work.Append(this, persist.ticket(), hardState, records, offsets, firstIndex, terms));
        lastTicket = persist.ticket();
        if (!entries.isEmpty()) {
            appendedLastIndex = firstIndex + entries.size() - 1;
        } else if (firstIndex <= appendedLastIndex) {
            appendedLastIndex = firstIndex - 1;
        }
    }

    @Override
    public void compact(SnapshotMeta snapshot, long ticket) throws StorageException {
        checkUsable(ticket);
        if (snapshots.latest().map(SnapshotMeta::index).orElse(0L) < snapshot.index()) {
            throw new StorageException(
                    Reason.MISSING_SNAPSHOT,
                    "group " + state.identity.groupName() + " has no committed snapshot at " + snapshot.index());
        }
        journal.submit(new Work.Compact(this, snapshot, ticket));
        lastTicket = ticket;
        appendedLastIndex = Math.max(appendedLastIndex, snapshot.index());
    }

    private void checkUsable(long ticket) throws StorageException {
        journal.checkOpen();
        StorageException failed = broken;
        if (failed != null) {
            throw failed;
        }
        if (ticket <= lastTicket) {
            throw new StorageException(Reason.ILLEGAL_STATE, "ticket " + ticket + " does not follow " + lastTicket);
        }
    }

    @Override
    public List<Entry> read(long fromIndex, long toIndexExclusive, long maxBytes) throws StorageException {
        return journal.readEntries(state, fromIndex, toIndexExclusive, maxBytes);
    }

    @Override
    public long firstIndex() {
        return state.index.snapshotIndex() + 1;
    }

    @Override
    public long lastIndex() {
        return state.index.lastIndex();
    }

    @Override
    public SnapshotStore snapshots() {
        return snapshots;
    }

    @Override
    public GroupIdentity reincarnate() throws StorageException {
        GroupIdentity now = state.identity;
        GroupIdentity next = new GroupIdentity(now.groupName(), now.member(), now.incarnation() + 1);
        journal.checkOpen();
        journal.registerDurably(state, next);
        return next;
    }
}
