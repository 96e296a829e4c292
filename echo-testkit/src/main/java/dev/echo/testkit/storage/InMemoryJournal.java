package dev.echo.testkit.storage;

import dev.echo.core.protocol.Entry;
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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link Journal} in memory, for tests of the runtime: persists are "durable" at once and reported on the caller's
 * thread. The data outlives the journal object: {@link #reopen} gives a fresh journal over the same data, as a
 * restarted process would find its disk. Not durable across JVMs, so never for production. Log compaction is not
 * supported ({@code compact} fails with {@code ILLEGAL_STATE}).
 *
 * <p>Thread-safe: every method synchronizes on the shared data.
 */
public final class InMemoryJournal implements Journal {
    private final Map<String, GroupData> data;
    private boolean closed;

    /** An empty journal. */
    public InMemoryJournal() {
        this(new TreeMap<>());
    }

    private InMemoryJournal(Map<String, GroupData> data) {
        this.data = data;
    }

    /** A new journal over this one's data (this one should be closed first, as a crashed process's would be). */
    public InMemoryJournal reopen() {
        synchronized (data) {
            for (GroupData group : data.values()) {
                group.open = false;
            }
            return new InMemoryJournal(data);
        }
    }

    @Override
    public GroupJournal openGroup(GroupIdentity identity, PersistListener listener) throws StorageException {
        synchronized (data) {
            if (closed) {
                throw new StorageException(StorageException.Reason.ILLEGAL_STATE, "journal closed");
            }
            GroupData group = data.computeIfAbsent(identity.groupName(), name -> new GroupData(identity));
            if (!group.identity.member().equals(identity.member())) {
                throw new StorageException(
                        StorageException.Reason.WRONG_OWNER,
                        "group " + identity.groupName() + " belongs to " + group.identity.member());
            }
            if (group.open) {
                throw new StorageException(
                        StorageException.Reason.ILLEGAL_STATE, "group " + identity.groupName() + " is already open");
            }
            group.open = true;
            group.lastTicket = 0; // tickets count per open, like a restarted core's
            return new Handle(group, listener);
        }
    }

    @Override
    public SortedSet<String> groupNames() {
        synchronized (data) {
            return new TreeSet<>(data.keySet());
        }
    }

    @Override
    public void close() {
        synchronized (data) {
            closed = true;
        }
    }

    /** One group's stored state. Guarded by the journal's data lock. */
    private static final class GroupData {
        GroupIdentity identity;
        final List<Entry> log = new ArrayList<>();
        final TreeMap<Long, byte[]> snapshots = new TreeMap<>();
        final TreeMap<Long, SnapshotMeta> snapshotMetas = new TreeMap<>();
        HardState hardState = HardState.INITIAL;
        long lastTicket;
        boolean open;

        GroupData(GroupIdentity identity) {
            this.identity = identity;
        }
    }

    private final class Handle implements GroupJournal, SnapshotStore {
        private final GroupData group;
        private final PersistListener listener;
        private final RecoveredGroup recovered;

        Handle(GroupData group, PersistListener listener) {
            this.group = group;
            this.listener = listener;
            this.recovered = new RecoveredGroup(
                    group.identity, group.hardState, 0, 0, group.log.size(), Optional.empty(), Optional.empty());
        }

        @Override
        public RecoveredGroup recovered() {
            return recovered;
        }

        @Override
        public void persist(Output.Persist persist) throws StorageException {
            synchronized (data) {
                requireOpen();
                if (persist.ticket() <= group.lastTicket) {
                    throw new StorageException(
                            StorageException.Reason.ILLEGAL_STATE,
                            "ticket " + persist.ticket() + " after " + group.lastTicket);
                }
                group.lastTicket = persist.ticket();
                persist.hardState().ifPresent(state -> group.hardState = state);
                if (!persist.entries().isEmpty() || persist.firstIndex() <= group.log.size()) {
                    if (persist.firstIndex() > group.log.size() + 1) {
                        throw new StorageException(
                                StorageException.Reason.ILLEGAL_STATE,
                                "gap: first index " + persist.firstIndex() + " after " + group.log.size());
                    }
                    while (group.log.size() >= persist.firstIndex()) {
                        group.log.remove(group.log.size() - 1);
                    }
                    group.log.addAll(persist.entries());
                }
            }
            listener.persisted(persist.ticket());
        }

        @Override
        public void compact(SnapshotMeta snapshot, long ticket) throws StorageException {
            throw new StorageException(
                    StorageException.Reason.ILLEGAL_STATE, "the in-memory journal does not compact logs");
        }

        @Override
        public List<Entry> read(long fromIndex, long toIndexExclusive, long maxBytes) throws StorageException {
            synchronized (data) {
                if (fromIndex < 1 || toIndexExclusive > group.log.size() + 1 || fromIndex > toIndexExclusive) {
                    throw new StorageException(
                            StorageException.Reason.ILLEGAL_STATE,
                            "range [" + fromIndex + ", " + toIndexExclusive + ") outside 1.." + group.log.size());
                }
                List<Entry> entries = new ArrayList<>();
                long bytes = 0;
                for (long i = fromIndex; i < toIndexExclusive && (entries.isEmpty() || bytes < maxBytes); i++) {
                    Entry entry = group.log.get((int) i - 1);
                    entries.add(entry);
                    bytes += entry.sizeBytes();
                }
                return entries;
            }
        }

        @Override
        public long firstIndex() {
            return 1;
        }

        @Override
        public long lastIndex() {
            synchronized (data) {
                return group.log.size();
            }
        }

        @Override
        public SnapshotStore snapshots() {
            return this;
        }

        @Override
        public GroupIdentity reincarnate() throws StorageException {
            synchronized (data) {
                requireOpen();
                GroupIdentity now = group.identity;
                group.identity = new GroupIdentity(now.groupName(), now.member(), now.incarnation() + 1);
                return group.identity;
            }
        }

        @Override
        public Writer create(SnapshotMeta meta) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            return new Writer() {
                @Override
                public OutputStream stream() {
                    return bytes;
                }

                @Override
                public void commit() {
                    synchronized (data) {
                        group.snapshots.put(meta.index(), bytes.toByteArray());
                        group.snapshotMetas.put(meta.index(), meta);
                    }
                }

                @Override
                public void close() {
                    // nothing to release: an uncommitted snapshot is simply dropped
                }
            };
        }

        @Override
        public Optional<SnapshotMeta> latest() {
            synchronized (data) {
                return group.snapshotMetas.isEmpty()
                        ? Optional.empty()
                        : Optional.of(group.snapshotMetas.lastEntry().getValue());
            }
        }

        @Override
        public SnapshotMeta meta(long index) throws StorageException {
            synchronized (data) {
                SnapshotMeta meta = group.snapshotMetas.get(index);
                if (meta == null) {
                    throw new StorageException(StorageException.Reason.MISSING_SNAPSHOT, "no snapshot at " + index);
                }
                return meta;
            }
        }

        @Override
        public InputStream open(long index) throws StorageException {
            synchronized (data) {
                byte[] bytes = group.snapshots.get(index);
                if (bytes == null) {
                    throw new StorageException(StorageException.Reason.MISSING_SNAPSHOT, "no snapshot at " + index);
                }
                return new ByteArrayInputStream(bytes);
            }
        }

        private void requireOpen() throws StorageException {
            if (closed || !group.open) {
                throw new StorageException(StorageException.Reason.ILLEGAL_STATE, "journal closed");
            }
        }
    }
}
