package dev.echo.testkit.sim;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The kinds of fault the simulator injects; {@code --faults} picks a subset. */
public enum Fault {
    /** Members crash (losing everything not yet durable) and restart from their disk. */
    CRASH,
    /** A crash tears the write in progress: a prefix of it survives (the journal truncates the rest). */
    TORN_WRITE,
    /**
     * A crashed member's disk is replaced by an empty one: it restarts under a new incarnation and counts as a voter
     * again only once the configuration records that incarnation (PROTOCOL.md §5, §7). One member at a time, and
     * only while every other member runs and hears the rest, and no crash or partition follows while a configuration
     * still counts the lost life: a J whose new half counts it could never commit (PROTOCOL.md §3, rollback).
     */
    WIPE,
    /**
     * A crashed member's journal is damaged mid-log: it restarts STORAGE_FAULTED, votes and acknowledges nothing, and
     * is repaired from its leader, by snapshot or the whole log, as its next incarnation (PROTOCOL.md §5). One member at a time, only while the others can
     * still elect a leader to repair it.
     */
    DAMAGE,
    /**
     * A hostile peer sends well-formed messages with random fields for a while (PROTOCOL.md §10): an unauthenticated
     * intruder in no configuration, with terms up to the top of their domain, and impostors of real members with
     * terms or incarnations outside it. Votes, appends, hand-overs, membership requests. Nothing may change.
     */
    HOSTILE,
    /**
     * A member's disk fails a force with an I/O error: its journal stops (fail-stop) and an operator restarts the
     * process. Whole-node simulator only.
     */
    IO_ERROR,
    /**
     * A member's disk fills up for a while: a write fails with ENOSPC, its journal stops, and the process restarts
     * once there is space again. Whole-node simulator only.
     */
    DISK_FULL,
    /**
     * A member's disk fails every read for a while: log entries read back for a lagging follower or the apply, and
     * snapshot chunks for a member behind, are asked for again until a read succeeds. Whole-node simulator only;
     * {@link #EVICTION} makes such reads frequent.
     */
    READ_ERROR,
    /** The members split into two sides that cannot talk. */
    PARTITION,
    /** One member cannot send to another while still receiving from it (asymmetric). */
    ONE_WAY,
    /** Messages are lost. */
    LOSS,
    /** Messages are delivered twice. */
    DUPLICATE,
    /** Message delays vary widely, so messages overtake each other. */
    REORDER,
    /** Members' clocks tick at different rates. */
    CLOCK_DRIFT,
    /**
     * The leader is asked for random configuration changes (add, remove, learners, re-weight, re-order) while the
     * other faults happen, with up to two spare members to add (PROTOCOL.md §3).
     */
    RECONFIGURE,
    /**
     * Dynamic linear voting on fault timescales (PROTOCOL.md §7): the leader suspends voters silent for 0.6–2.5 s
     * and re-admits them when they return, so crashes and partitions make the membership shrink and flap. Without
     * it, the simulated group's membership is static (unless {@link #RECONFIGURE} changes it).
     */
    DYNAMIC_VOTING,
    /**
     * Members snapshot every 20–200 applied entries and compact their logs, so members that lag, restart or join are
     * brought back by snapshot transfer in small chunks (PROTOCOL.md §8). Without it, logs are never compacted.
     */
    SNAPSHOT,
    /**
     * Members multicast beside the log (PROTOCOL.md §13) and flush now and then, while the other faults happen; the
     * view-synchrony checker watches every delivery; in the whole-node simulator, through the listener ({@code
     * NodeMulticasts}).
     */
    MULTICAST,
    /**
     * Members keep only a couple of KiB of log entries in memory (docs/architecture.md, "The log cache"): the rest is
     * read back from the simulated disk, with a delay, when a lagging follower or a restarted member's apply needs
     * it. Protocol simulator only.
     */
    EVICTION,
    /**
     * Clients' commands come in bursts: after a submit, the member is run at once only half the time, so the commands
     * of several clients meet in one run of its group loop and reach the core as one step (docs/architecture.md,
     * {@code GroupLoop}). Without it, every operation is run alone. Whole-node simulator only.
     */
    BURSTS;

    /** What {@code all} means: every fault. */
    public static Set<Fault> standard() {
        return EnumSet.allOf(Fault.class);
    }

    /**
     * Every fault but the two that destroy data ({@link #WIPE}, {@link #DAMAGE}). While the group adjusts to those,
     * the fault plan holds crashes and partitions back, so runs without them see more of both.
     */
    public static Set<Fault> withoutDataLoss() {
        return EnumSet.complementOf(EnumSet.of(WIPE, DAMAGE));
    }

    /** Parses {@code all}, {@code none} or a comma-separated list such as {@code crash,partition}. */
    public static Set<Fault> parse(String spec) {
        if (spec.equalsIgnoreCase("all")) {
            return standard();
        }
        if (spec.equalsIgnoreCase("none")) {
            return EnumSet.noneOf(Fault.class);
        }
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        for (String name : spec.split(",")) {
            if (name.trim().equalsIgnoreCase("all")) {
                faults.addAll(standard());
                continue;
            }
            try {
                faults.add(Fault.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown fault '" + name + "'; known: all, none, "
                        + EnumSet.allOf(Fault.class).toString().toLowerCase(Locale.ROOT));
            }
        }
        return faults;
    }
}
