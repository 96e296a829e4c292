package dev.echo.journal;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.HardState;
import dev.echo.core.protocol.LogOutline;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.StorageException;
import java.util.TreeMap;

/**
 * Everything the journal knows about one group: identity, durable term/vote, log index and any recovery fault.
 *
 * <p>Threading: the writer thread (and, before it starts, recovery) owns {@link #hardState} and {@link #fault}; the
 * {@link LogIndex} is shared with readers and synchronizes itself.
 */
final class GroupState {
    final int number;
    /** Replaced only by the writer thread (or recovery), when the member starts a later incarnation. */
    volatile GroupIdentity identity;

    final LogIndex index;
    HardState hardState;
    StorageException fault;
    /** The writer's view of the last index, ahead of {@link #index} by what is still in its staging buffer. */
    long writtenLastIndex;
    /**
     * The group's configuration entries as recovery found them, for the {@link LogOutline} of its first opening (a
     * restart then reads no entry into memory). Only recovery maintains it: once the group was opened, it is stale.
     */
    final TreeMap<Long, Entry> configurations = new TreeMap<>();
    /** Whether {@link #configurations} still describes the log: until the group is first opened. */
    boolean outlineFresh = true;

    /** The handle the runtime opened, or {@code null} while the group is only known from recovery. */
    volatile FileGroupJournal handle;

    GroupState(int number, GroupIdentity identity, HardState hardState, LogIndex index) {
        this.number = number;
        this.identity = identity;
        this.hardState = hardState;
        this.index = index;
        this.writtenLastIndex = index.lastIndex();
    }

    /** Recovery: makes ({@code index}, {@code term}) the snapshot, and the outline's configurations follow. */
    void compactRecovered(long index, long term, boolean keepSuffix) {
        this.index.compact(index, term, keepSuffix);
        (keepSuffix ? configurations.headMap(index, true) : configurations).clear();
    }

    /** Recovery: discards the entries from {@code index} on, and the outline's configurations follow. */
    void truncateRecovered(long index) {
        this.index.truncateFrom(index);
        configurations.tailMap(index, true).clear();
    }

    /** Records a fault, keeping the first one found. */
    void fault(StorageException found) {
        if (fault == null) {
            fault = found;
        }
    }
}
