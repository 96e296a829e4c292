package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a member asks its runtime to do, drained after each {@link GroupProtocol#step}. The runtime must carry
 * out {@link Persist}s in ticket order and report each with {@link Input.Persisted}; every {@link Send} may go out
 * at once, because the core itself holds back messages that must follow a persist (PROTOCOL.md §5).
 *
 * <p>Values the core never touches once drained, byte arrays included; the runtime drains them on the group's loop
 * thread.
 */
public sealed interface Output {
    /**
     * Send a message to another member. Loss is tolerated; the protocol retries.
     *
     * @param to the receiving member
     * @param message the message
     */
    record Send(MemberId to, Message message) implements Output {}

    /**
     * Make state durable, then report {@link Input.Persisted} with this ticket. Persists are applied in ticket
     * order. The log part means: discard every entry at index {@code firstIndex} or later, then append
     * {@code entries} (which start at {@code firstIndex}); no log part when {@code entries} is empty and
     * {@code firstIndex} is past the last index.
     *
     * @param ticket increasing number of this persist
     * @param hardState new term/vote to record, if changed
     * @param firstIndex first log index written (or truncated from)
     * @param entries the entries to append from {@code firstIndex}
     */
    record Persist(long ticket, Optional<HardState> hardState, long firstIndex, List<Entry> entries)
            implements JournalWrite {
        /** Freezes the entries. */
        public Persist {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Snapshot the state machine now, before the next step (its state is exactly the log applied up to
     * {@code meta.index()}), and write the snapshot durably without blocking the group: {@code sessions}, then the
     * state machine's bytes. Report {@link Input.SnapshotTaken} or {@link Input.SnapshotFailed}.
     *
     * @param meta what the snapshot covers
     * @param sessions the exactly-once table as of {@code meta.index()}, stored with the state
     */
    record TakeSnapshot(SnapshotMeta meta, byte[] sessions) implements Output {
        @Override
        public String toString() {
            return "TakeSnapshot[meta=" + meta + ", sessions=" + sessions.length + " bytes]";
        }
    }

    /**
     * Discard the journal's log up to {@code meta.index()}, which a durable snapshot covers; later entries stay only if
     * the log holds the snapshot's last entry with its term. Carried out in ticket order with {@link Persist}s and
     * reported the same way, with {@link Input.Persisted}.
     *
     * @param ticket increasing number shared with {@link Persist}
     * @param meta the snapshot
     */
    record CompactLog(long ticket, SnapshotMeta meta) implements JournalWrite {}

    /**
     * A change to the journal ({@link Persist} or {@link CompactLog}): carried out in ticket order, each reported with
     * {@link Input.Persisted} once it and every earlier one is durable.
     */
    sealed interface JournalWrite extends Output {
        /** Increasing number, shared by every journal write of the member. */
        long ticket();
    }

    /**
     * Read entries {@code [fromIndex, toIndexExclusive)} back from the journal, stopping once {@code maxBytes} of them
     * are read (at least one), and report them with {@link Input.LogRead}, also when the read fails (with no
     * entries). Do it off the group's thread: it blocks on the disk, and the leader's loop never waits for one
     * (docs/architecture.md, "The log cache"). Every entry in the range is durable.
     *
     * @param fromIndex the first entry to read
     * @param toIndexExclusive one past the last entry to read
     * @param maxBytes most bytes of entries to read
     */
    record ReadLog(long fromIndex, long toIndexExclusive, long maxBytes) implements Output {}

    /**
     * Read up to {@code maxBytes} of the stored snapshot {@code meta} from {@code offset} and send them to {@code to}
     * as a {@link Message.InstallSnapshot} of {@code term}, marked last if they reach its end. If the snapshot is no
     * longer stored, send nothing: the leader retries with a newer one.
     *
     * @param to the member behind the snapshot
     * @param term the leader's term
     * @param meta the snapshot
     * @param offset where the chunk starts
     * @param maxBytes most bytes in the chunk
     */
    record SendSnapshotChunk(MemberId to, long term, SnapshotMeta meta, long offset, int maxBytes) implements Output {}

    /**
     * Write a chunk of a snapshot received from the leader. A chunk at offset 0 starts the snapshot afresh
     * (discarding any partial one); chunks come in order. For a chunk that is not the last, report
     * {@link Input.SnapshotChunkStored}. For the last, make the snapshot durable, restore the state machine from it
     * (the member does not touch the state machine until then) and report {@link Input.SnapshotInstalled}. Report
     * {@link Input.SnapshotFailed} if anything fails before the state machine is touched.
     *
     * @param meta what the snapshot covers
     * @param offset where {@code data} starts
     * @param data the chunk
     * @param last whether the chunk ends the snapshot
     */
    record StoreSnapshotChunk(SnapshotMeta meta, long offset, byte[] data, boolean last) implements Output {
        @Override
        public String toString() {
            return "StoreSnapshotChunk[meta=" + meta + ", offset=" + offset + ", data=" + data.length + " bytes, last="
                    + last + "]";
        }
    }

    /**
     * A submitted command's outcome, delivered at the member where it was submitted.
     *
     * @param clientId the session
     * @param sequence the command's number
     * @param outcome committed with a result, or certainly not applied
     */
    record Completed(long clientId, long sequence, Outcome outcome) implements Output {}

    /**
     * A session open finished.
     *
     * @param clientId the session
     * @param outcome committed, or certainly not applied
     */
    record SessionOpened(long clientId, Outcome outcome) implements Output {}

    /**
     * A read finished.
     *
     * @param readId the caller's id
     * @param outcome committed (the answer, with the applied index it reflects) or rejected
     */
    record ReadCompleted(long readId, Outcome outcome) implements Output {}

    /**
     * A configuration change requested at this member finished.
     *
     * @param requestId the caller's id
     * @param outcome committed (the index of the target configuration), rejected (nothing changed), or abandoned
     */
    record ReconfigurationCompleted(long requestId, Outcome outcome) implements Output {}

    /**
     * A configuration entry was applied at this member: the group's view changed. Delivered in log order at every
     * member (a member recovering from its journal replays them); joint configurations are internal and not reported.
     *
     * @param index the log index of the configuration entry: the view's epoch
     * @param configuration the configuration now committed: voters in rank order with weights, learners, and the
     *     nominal voters that dynamic voting suspended
     */
    record ViewChanged(long index, Configuration configuration) implements Output {}

    /**
     * This member installed a state transferred from the leader (a snapshot: it joined, or lagged behind the leader's
     * log); it goes on applying from the entry after {@code index}. Emitted once the core has taken the state over.
     *
     * @param index the last log index the transferred state covers
     */
    record StateInstalled(long index) implements Output {}

    /**
     * A multicast was delivered here (PROTOCOL.md §13), in view {@code epoch}, in the view's total order.
     *
     * @param epoch the multicast view it was sent and delivered in
     * @param sender the member that multicast it
     * @param payload its bytes
     */
    record MulticastDelivered(long epoch, MemberId sender, byte[] payload) implements Output {
        /** The payload's length and contents' hash, not the array's identity: the simulator's transcripts compare. */
        @Override
        public String toString() {
            return "MulticastDelivered[epoch=" + epoch + ", sender=" + sender + ", payload=" + payload.length
                    + " bytes #" + Integer.toHexString(Arrays.hashCode(payload)) + "]";
        }
    }

    /**
     * A multicast view was installed (PROTOCOL.md §13): every multicast of the previous view that this member
     * delivers has been delivered. Reported when this member takes part in the new view or took part in the previous.
     *
     * @param epoch the new view's epoch: the log index of the cut that installed it, the same at every member
     * @param members the view's members in rank order
     * @param participating whether this member takes part (if not, it asks the leader to be let into the next one)
     */
    record MulticastViewInstalled(long epoch, List<MemberId> members, boolean participating) implements Output {}

    /** Why a multicast was not delivered. */
    enum MulticastFailure {
        /** The group does not offer multicast (PROTOCOL.md §13). */
        DISABLED,
        /** This member takes part in no multicast view right now (it is joining one, or the view is being cut). */
        NOT_IN_VIEW,
        /** Too many of this member's multicasts wait for the sequencer (flow control). */
        OVERLOADED,
        /** The payload is larger than the policy allows. */
        TOO_LARGE,
        /** The view ended before the multicast was ordered: no member delivered it. */
        VIEW_CHANGED,
        /**
         * This member left the view (it was left out of the next one, or installed a transferred state) before it
         * delivered the multicast: other members may have delivered it.
         */
        LEFT_VIEW
    }

    /**
     * A multicast sent at this member finished: delivered here (then at every participant that moves with this member
     * to the next view), or failed.
     *
     * @param requestId the caller's id
     * @param failure empty if delivered, else why it was not
     */
    record MulticastCompleted(long requestId, Optional<MulticastFailure> failure) implements Output {}

    /**
     * A flush finished (PROTOCOL.md §13).
     *
     * @param flushId the caller's id
     * @param moot true if a view change, not stability, ended it
     */
    record FlushCompleted(long flushId, boolean moot) implements Output {}

    /**
     * This member's status changed (PROTOCOL.md §9).
     *
     * @param status the new status
     * @param term the current term: a fencing epoch
     * @param leader the leader this member follows, if known
     */
    record StatusChanged(MemberStatus status, long term, Optional<MemberId> leader) implements Output {}

    /** Outcome of a client operation. */
    sealed interface Outcome {}

    /**
     * Applied at {@code index} with {@code result} (for reads: answered from state at applied index {@code index}).
     *
     * @param index log index of the command (or the applied index a read reflects)
     * @param result the state machine's result bytes
     * @param stale true only for reads answered from local state without a ReadIndex round
     */
    record Committed(long index, byte[] result, boolean stale) implements Outcome {
        /** Names the result's size, not its identity: transcripts of equal runs compare equal. */
        @Override
        public String toString() {
            return "Committed[index=" + index + ", result=" + result.length + " bytes, stale=" + stale + "]";
        }
    }

    /**
     * This member stopped following the operation (it lost leadership) after it may already have taken effect: the
     * outcome is unknown; the caller checks the result (for a configuration change: the view).
     *
     * @param reason why it was abandoned
     */
    record Abandoned(String reason) implements Outcome {}

    /**
     * Certainly not applied by this attempt.
     *
     * @param reason why
     */
    record Rejected(RejectReason reason) implements Outcome {}
}
