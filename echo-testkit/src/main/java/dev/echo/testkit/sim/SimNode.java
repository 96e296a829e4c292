package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.runtime.ClientSession;
import java.util.Optional;

/**
 * One simulated member: its protocol core while it is up, its disk always, and the recording state machine of its
 * current incarnation. Read by the invariant checkers; changed only by the {@link Simulation}. Not thread-safe.
 */
public final class SimNode {
    private final int index;
    private final MemberId id;
    private final SimDisk disk = new SimDisk();
    GroupProtocol core;
    RecordingStateMachine stateMachine;
    /** The runtime's client session of the current life, driven by the {@link Workload}. */
    ClientSession session;

    int incarnation;
    long tickPeriodMicros;
    int snapshotsInstalled;

    SimNode(int index, MemberId id) {
        this.index = index;
        this.id = id;
    }

    /** Position of the member in the simulation (0-based). */
    public int index() {
        return index;
    }

    /** The member's id. */
    public MemberId id() {
        return id;
    }

    /** The member's disk. */
    public SimDisk disk() {
        return disk;
    }

    /** The running core, empty while the member is crashed. */
    public Optional<GroupProtocol> core() {
        return Optional.ofNullable(core);
    }

    /** The state machine of the current incarnation. */
    public RecordingStateMachine stateMachine() {
        return stateMachine;
    }

    /**
     * The entry at {@code index} of the running member's log: from memory, or, evicted from its cache, from its disk,
     * as the runtime would read it back. The checkers read entries through here.
     *
     * @throws IllegalStateException if neither holds it
     */
    public Entry entry(long index) {
        Entry entry = core.log().inMemory(index);
        if (entry == null) {
            entry = disk.durableEntry(index);
        }
        if (entry == null || entry.term() != core.log().termAt(index)) {
            throw new IllegalStateException(id + " holds entry " + index + " neither in memory nor on disk");
        }
        return entry;
    }

    /** Whether the member is up. */
    public boolean alive() {
        return core != null;
    }

    /** How many snapshots the member installed from a leader, as the core reported them (PROTOCOL.md §8). */
    public int snapshotsInstalled() {
        return snapshotsInstalled;
    }

    /** How many times the member has been restarted. */
    public int incarnation() {
        return incarnation;
    }
}
