package dev.echo.testkit.sim;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.node.EchoNode;
import dev.echo.core.runtime.NodeRuntime;
import dev.echo.journal.FileJournal;
import dev.echo.testkit.storage.SimFileLayer;
import java.util.List;
import java.util.Optional;

/**
 * One simulated machine of the whole-node simulator ({@link NodeSimulation}): its disk outlives its processes, and each
 * life runs a real node on it. Plain state; the simulation starts, crashes and restarts it. Not thread-safe: the
 * simulation's one thread only.
 */
final class NodeMember {
    final int index;
    final MemberId id;
    /** The machine's disk: it outlives the machine's processes. */
    final SimFileLayer disk = new SimFileLayer();

    FileJournal journal;
    /** Whether a disk batch of this life is scheduled. */
    boolean diskBusy;
    /**
     * Whether the member's journal was damaged and the group has not yet counted its repaired life as a voter
     * (PROTOCOL.md §5, "Re-admitted"): faults that take members down wait for that.
     */
    boolean damaged;
    /** The view epoch at which the damaged member was repaired, -1 before. */
    long repairedAtEpoch = -1;
    /** Whether this life's journal stopped after an I/O error: an operator will restart the process. */
    boolean journalStopped;
    /** A brand-new machine that joins from the seeds at this address (PROTOCOL.md §8); empty for an original. */
    final Optional<MemberAddress> joinsAt;
    /**
     * A new machine's seeds, which it is given as its initial voters: some of the original members in any order,
     * as an operator lists a few addresses (a seed list need not be the group's initial configuration).
     */
    List<NodeMember> seeds = List.of();
    /** Replaced and gone for good: its process is dead and never restarts, and no check or fault counts it. */
    boolean retired;
    /** Whether this new machine has seen itself in its group's view: its join was committed. */
    boolean joined;
    /** Whether a member asked to replace this one: it may be out of the group even if no answer said so. */
    boolean replacementAsked;
    /** The epoch of the last view this life's application saw ({@code view()} at start, then the listener's). */
    long viewEpoch;

    SimTransport transport;
    EchoNode node;
    /** The node's runtime, asked for the configuration in force in its log (committed or not). */
    NodeRuntime runtime;

    ReplicatedGroup group;
    StateMachine state;
    int life;

    NodeMember(int index, Optional<MemberAddress> joinsAt) {
        this.index = index;
        this.id = MemberId.of("n" + (index + 1));
        this.joinsAt = joinsAt;
    }

    boolean up() {
        return node != null;
    }
}
