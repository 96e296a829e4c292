package dev.echo.testkit.sim;

/** What the simulator puts a group through, counted per run ({@link RunCounts}). */
public enum Injected {
    /** A member crashed (it restarts from what its disk kept). */
    CRASH,
    /** A crash tore the last unforced write. */
    TORN_WRITE,
    /** A member's disk was replaced: it came back empty, under a new incarnation. */
    WIPE,
    /** A member's journal was damaged mid-log: it came back STORAGE_FAULTED. */
    DAMAGE,
    /** A force failed with an I/O error: the journal stopped and its process restarted. */
    IO_ERROR,
    /** A disk filled up: a write failed with ENOSPC. */
    DISK_FULL,
    /** A disk failed every read for a while. */
    READ_ERROR,
    /** A read such a disk refused ({@link #READ_ERROR}; counted, not a fault of its own). */
    READ_REFUSED,
    /** The members were split in two sides. */
    PARTITION,
    /** A member could send but not receive, or the reverse. */
    ONE_WAY,
    /** A forged or out-of-domain message from the hostile peer. */
    HOSTILE_MESSAGE,
    /** A message lost, by a cut link or by loss. */
    DROPPED,
    /** A message delivered twice. */
    DUPLICATED,
    /** A message that arrived before one sent earlier on the same link. */
    REORDERED,
    /** A membership change asked of a member. */
    MEMBERSHIP_CHANGE,
    /** A machine's request to join at its address, committed (PROTOCOL.md §8; counted, not a fault of its own). */
    JOINED,
    /** A voter replaced by a learner at its rank and weight, committed (§8; counted, not a fault of its own). */
    REPLACED,
    /** Evicted log entries read back from the disk, for a lagging follower or the apply ({@link Fault#EVICTION}). */
    LOG_READ,
    /** A multicast delivered at a member, checked (PROTOCOL.md §13; whole-node simulator; counted, not a fault). */
    MULTICAST_DELIVERED
}
