package dev.echo.core.runtime;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The node's JDK Flight Recorder events (issue 24; docs/operations.md, "Flight recordings"): leader changes, elections
 * won, view changes, snapshots and storage faults, each with its group and member. Each is rare next to the operations
 * a group runs, and costs nothing but a branch while no recording asks for it.
 *
 * <p>Events are committed by the thread that sees the change: a group's loop thread, or its snapshot thread.
 */
final class RuntimeEvents {
    private RuntimeEvents() {}

    /** What every event names: the group, and the member that saw it. */
    abstract static class GroupEvent extends Event {
        @Label("Group")
        String group;

        @Label("Member")
        String member;
    }

    /** This member heard of a new leader, or lost the one it had. */
    @Name("dev.echo.LeaderChanged")
    @Label("Leader Changed")
    @Category({"Echo", "Group"})
    @Description("A member's view of its group's leader changed")
    @StackTrace(false)
    static final class LeaderChanged extends GroupEvent {
        @Label("Term")
        long term;

        @Label("Leader")
        @Description("The new leader, or empty when the member hears none")
        String leader;

        @Label("Previous Leader")
        String previousLeader;
    }

    /** This member won an election: it leads its group from this term. */
    @Name("dev.echo.ElectionWon")
    @Label("Election Won")
    @Category({"Echo", "Group"})
    @StackTrace(false)
    static final class ElectionWon extends GroupEvent {
        @Label("Term")
        long term;
    }

    /** A configuration committed: the group's view changed at this member. */
    @Name("dev.echo.ViewChanged")
    @Label("View Changed")
    @Category({"Echo", "Group"})
    @StackTrace(false)
    static final class ViewChanged extends GroupEvent {
        @Label("Epoch")
        @Description("The log index of the configuration")
        long epoch;

        @Label("Voters")
        int voters;

        @Label("Learners")
        int learners;

        @Label("Suspended")
        @Description("Voters dynamic voting took the vote from")
        int suspended;
    }

    /** The member wrote a snapshot of its state machine; the event's duration is the write. */
    @Name("dev.echo.SnapshotTaken")
    @Label("Snapshot Taken")
    @Category({"Echo", "Snapshot"})
    @StackTrace(false)
    static final class SnapshotTaken extends GroupEvent {
        @Label("Index")
        long index;
    }

    /** The member installed a snapshot received from its leader; the event's duration is the restore. */
    @Name("dev.echo.SnapshotInstalled")
    @Label("Snapshot Installed")
    @Category({"Echo", "Snapshot"})
    @StackTrace(false)
    static final class SnapshotInstalled extends GroupEvent {
        @Label("Index")
        long index;

        @Label("Bytes")
        @DataAmount
        long bytes;
    }

    /** The group stopped at this member on a storage failure, or found its log damaged. */
    @Name("dev.echo.StorageFault")
    @Label("Storage Fault")
    @Category({"Echo", "Storage"})
    @StackTrace(false)
    static final class StorageFault extends GroupEvent {
        @Label("Reason")
        String reason;

        @Label("Message")
        String message;
    }
}
