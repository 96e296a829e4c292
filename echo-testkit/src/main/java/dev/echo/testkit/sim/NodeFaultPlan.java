package dev.echo.testkit.sim;

import dev.echo.core.View;
import dev.echo.testkit.storage.SimFileLayer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The whole-node simulator's node, link and disk faults: every 0.2-1.5 s of the fault phase one fault of the run's
 * kinds, drawn in a fixed order, each healed after 0.3-4 s. Faults that take a member down wait while another member
 * is still being repaired or restarted, and damage waits for a settled group (see {@link #damage}). Not thread-safe:
 * the simulation's one thread only.
 */
final class NodeFaultPlan {
    /** The faults this simulator injects as events, in a fixed order so a seed draws the same one every time. */
    private static final List<Fault> INJECTED = List.of(
            Fault.CRASH,
            Fault.PARTITION,
            Fault.LOSS,
            Fault.DUPLICATE,
            Fault.REORDER,
            Fault.IO_ERROR,
            Fault.DISK_FULL,
            Fault.READ_ERROR,
            Fault.DAMAGE);

    private final NodeSimulation sim;
    private final SimulationOptions options;
    private final SplittableRandom random;
    private final SimNetwork network;
    private final NodeMembershipEdits edits;
    /** Whether a member's disk is full now: one at a time. */
    private boolean diskFull;

    NodeFaultPlan(
            NodeSimulation sim,
            SimulationOptions options,
            SplittableRandom random,
            SimNetwork network,
            NodeMembershipEdits edits) {
        this.sim = sim;
        this.options = options;
        this.random = random;
        this.network = network;
        this.edits = edits;
    }

    /** Whether a member's disk is full now: a member that cannot start then waits for space, as its operator would. */
    boolean diskFull() {
        return diskFull;
    }

    /** Every fault healed: the disks have room again. */
    void healed() {
        diskFull = false;
    }

    /** Injects one fault now, and schedules the next one, until the fault phase ends. */
    void injectFault() {
        if (sim.now() >= options.faultPhaseMillis() * 1000) {
            return;
        }
        List<Fault> kinds = INJECTED.stream().filter(options.faults()::contains).toList();
        if (kinds.isEmpty()) {
            return;
        }
        Fault fault = kinds.get(random.nextInt(kinds.size()));
        long repairAfter = random.nextLong(300_000, 4_000_000);
        sim.schedule(sim.now() + random.nextLong(200_000, 1_500_000), this::injectFault);
        List<NodeMember> active = sim.active();
        if (harmsAMember(fault) && active.stream().anyMatch(m -> m.damaged || m.journalStopped)) {
            sim.log("fault held back: a member is still being repaired or restarted");
            return;
        }
        NodeMember victim = active.get(random.nextInt(active.size()));
        switch (fault) {
            case CRASH -> {
                if (victim.up()) {
                    sim.crash(victim);
                    sim.schedule(sim.now() + repairAfter, () -> sim.restart(victim));
                }
            }
            case PARTITION -> {
                network.partition(sim.machines().size(), random);
                sim.count(Injected.PARTITION);
                sim.log("partition");
                sim.schedule(sim.now() + repairAfter, this::healLinks);
            }
            case LOSS -> {
                network.lossRate = random.nextDouble() * 0.3;
                sim.log("loss " + network.lossRate);
                sim.schedule(sim.now() + repairAfter, () -> network.lossRate = 0);
            }
            case DUPLICATE -> {
                network.duplicateRate = random.nextDouble() * 0.2;
                sim.log("duplicate " + network.duplicateRate);
                sim.schedule(sim.now() + repairAfter, () -> network.duplicateRate = 0);
            }
            case REORDER -> {
                network.jitterMicros = random.nextLong(5_000, 40_000);
                sim.log("jitter " + network.jitterMicros);
                sim.schedule(sim.now() + repairAfter, () -> network.jitterMicros = 1_500);
            }
            case IO_ERROR -> {
                if (victim.up()) {
                    victim.disk.failNextForce(); // the journal stops; the operator restarts the process
                    sim.count(Injected.IO_ERROR);
                    sim.log(victim.id + " disk: the next force fails");
                }
            }
            case DISK_FULL -> {
                if (!diskFull) {
                    diskFull = true;
                    victim.disk.capacityBytes(
                            victim.disk.usedBytes() + random.nextLong(NodeSimulation.SEGMENT_BYTES / 2));
                    sim.count(Injected.DISK_FULL);
                    sim.log(victim.id + " disk full");
                    sim.schedule(sim.now() + repairAfter, () -> {
                        victim.disk.capacityBytes(Long.MAX_VALUE);
                        diskFull = false;
                        sim.log(victim.id + " disk has space again");
                    });
                }
            }
            case READ_ERROR -> {
                if (victim.up()) {
                    victim.disk.failReads(true); // a crash or restart in between ends it too
                    sim.count(Injected.READ_ERROR);
                    sim.log(victim.id + " disk: reads fail");
                    SimFileLayer disk = victim.disk;
                    sim.schedule(sim.now() + repairAfter, () -> {
                        disk.failReads(false); // a full disk meanwhile stays full
                        sim.log(victim.id + " disk: reads work again");
                    });
                }
            }
            case DAMAGE -> damage(victim, repairAfter);
            default -> throw new IllegalStateException("not an injected fault: " + fault);
        }
    }

    /**
     * Crashes a member and damages what its disk holds: a bit flipped in forced data, or an unforced sector that
     * lands at a wrong offset. It restarts STORAGE_FAULTED, or not at all damaged if the bit hit unused space. One
     * member at a time, while every other member runs and at least three voters count, so that the rest can elect a
     * leader to repair it.
     */
    private void damage(NodeMember victim, long repairAfter) {
        List<NodeMember> active = sim.active();
        if (!options.faults().contains(Fault.DYNAMIC_VOTING)) {
            return; // without re-admission a damaged member stays uncounted until the application re-adds it
        }
        // Every other member runs and hears the rest, as for a wipe in the protocol simulator: a leader cut off from a
        // voter would suspend it through a J whose new half leans on the victim, which no one may then replace
        // (docs/protocol.md, "What remains unrecoverable").
        if (!active.stream().allMatch(NodeMember::up) || network.anyCut()) {
            return;
        }
        // The group must be settled, so that the rest can outvote the lost copy and elect a leader to repair it: no
        // change asked or just answered, the newest view applied at every member and stable for a while (dynamic
        // voting changes it too), and at least three voters in it.
        View view = victim.group.view();
        for (NodeMember member : active) {
            if (member.group.view().epoch() > view.epoch()) {
                view = member.group.view();
            }
        }
        long newest = view.epoch();
        boolean settled = edits.quietFor(3_000_000)
                && sim.now() - sim.newestViewSince() > 3_000_000
                && active.stream().allMatch(m -> m.group.view().epoch() == newest);
        if (!settled || !view.suspended().isEmpty() || view.voters().size() < 3 || !othersOutvote(victim, active)) {
            return;
        }
        boolean misdirect = random.nextBoolean();
        sim.crash(victim, misdirect);
        // Not the journal's identity file: damage there stops the node with WRONG_OWNER until an operator replaces
        // the disk, which is a wipe, not a repair.
        boolean flipped = !misdirect
                && victim.disk.flipDurableBit(
                        random, path -> !path.getFileName().toString().equals("journal.id"));
        victim.damaged = true;
        victim.repairedAtEpoch = -1;
        sim.count(Injected.DAMAGE);
        sim.log(victim.id + " disk damaged (" + (flipped ? "bit flip" : "misdirected write") + ")");
        sim.schedule(sim.now() + repairAfter, () -> sim.restart(victim));
    }

    /**
     * Whether the members other than {@code victim} form a quorum of the configuration in force at every member: the
     * one in its log, committed or not. A view shows only what was applied, but a change still in flight (dynamic
     * voting's, say) whose new half needs the victim could never commit once the victim's vote is lost, and no later
     * change may replace it, since the lost copy may have acknowledged it (PROTOCOL.md §3).
     */
    private static boolean othersOutvote(NodeMember victim, List<NodeMember> active) {
        return active.stream().allMatch(member -> member.runtime
                .configurationInForce(NodeSimulation.GROUP)
                .map(inForce -> inForce.isQuorum(id -> !id.equals(victim.id)))
                .orElse(true)); // a member that left the group holds no configuration in force
    }

    /** Faults that take a member down while another one may still depend on the rest to be repaired. */
    private static boolean harmsAMember(Fault fault) {
        return fault == Fault.CRASH
                || fault == Fault.DAMAGE
                || fault == Fault.IO_ERROR
                || fault == Fault.DISK_FULL
                || fault == Fault.PARTITION;
    }

    private void healLinks() {
        network.healLinks();
    }
}
