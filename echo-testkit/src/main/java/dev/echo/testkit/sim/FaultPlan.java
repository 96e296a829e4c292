package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Input;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws and injects one fault during the fault phase, and schedules its repair. Everything is drawn from the
 * simulation's seeded random source. Not thread-safe.
 */
final class FaultPlan {
    private final Simulation sim;
    private final SimNetwork network;
    private final SplittableRandom random;
    private final Set<Fault> enabled;

    FaultPlan(Simulation sim, SimNetwork network, SplittableRandom random, Set<Fault> enabled) {
        this.sim = sim;
        this.network = network;
        this.random = random;
        this.enabled = enabled;
    }

    /** The faults injected as events (torn writes ride on crashes, clock drift is set at start). */
    static List<Fault> kindsToInject(Set<Fault> faults) {
        List<Fault> kinds = new ArrayList<>(faults);
        kinds.remove(Fault.TORN_WRITE);
        kinds.remove(Fault.CLOCK_DRIFT);
        kinds.remove(Fault.RECONFIGURE); // driven by the Reconfigurer, not injected and repaired
        kinds.remove(Fault.DYNAMIC_VOTING); // a policy of the leader, set at start
        kinds.remove(Fault.SNAPSHOT); // a policy of every member, set at start
        kinds.remove(Fault.MULTICAST); // a workload beside the clients
        kinds.remove(Fault.EVICTION); // a setting of every member's cache
        kinds.remove(Fault.IO_ERROR); // faults of the real journal: the whole-node simulator's
        kinds.remove(Fault.DISK_FULL);
        kinds.remove(Fault.READ_ERROR);
        kinds.remove(Fault.BURSTS); // the whole-node simulator's clients
        return kinds;
    }

    void injectOne(List<SimNode> nodes) {
        List<Fault> kinds = kindsToInject(enabled);
        Fault fault = kinds.get(random.nextInt(kinds.size()));
        long repairAfter = random.nextLong(300_000, 4_000_000);
        if (permanentlyHarmful(fault) && sim.adjustingToDataLoss()) {
            sim.traceLine("  fault held back: the group is still adjusting to a wiped or damaged disk");
            return;
        }
        switch (fault) {
            case CRASH -> {
                SimNode victim = nodes.get(random.nextInt(nodes.size()));
                sim.crash(victim, enabled.contains(Fault.TORN_WRITE) && random.nextBoolean());
                sim.count(Injected.CRASH);
                sim.schedule(sim.now() + repairAfter, () -> sim.restart(victim));
            }
            case WIPE -> {
                SimNode victim = nodes.get(random.nextInt(nodes.size()));
                if (sim.mayWipe(victim)) {
                    sim.wipe(victim);
                    sim.count(Injected.WIPE);
                    sim.schedule(sim.now() + repairAfter, () -> sim.restart(victim));
                }
            }
            case DAMAGE -> {
                SimNode victim = nodes.get(random.nextInt(nodes.size()));
                if (sim.mayDamage(victim)) {
                    sim.damage(victim);
                    sim.count(Injected.DAMAGE);
                    sim.schedule(sim.now() + repairAfter, () -> sim.restart(victim));
                }
            }
            case PARTITION -> {
                boolean[] left = network.partition(nodes.size(), random);
                sim.traceLine("  fault: partition " + sides(left));
                sim.count(Injected.PARTITION);
                sim.schedule(sim.now() + repairAfter, this::healLinks);
            }
            case ONE_WAY -> {
                int a = random.nextInt(nodes.size());
                boolean deaf = random.nextBoolean();
                for (int b = 0; b < nodes.size(); b++) {
                    if (b != a) {
                        if (deaf) {
                            network.cut(b, a); // a can send but not receive
                        } else {
                            network.cut(a, b); // a can receive but not send
                        }
                    }
                }
                sim.traceLine("  fault: one-way, n" + (a + 1) + (deaf ? " cannot receive" : " cannot send"));
                sim.count(Injected.ONE_WAY);
                sim.schedule(sim.now() + repairAfter, this::healLinks);
            }
            case HOSTILE -> {
                HostilePeer peer = new HostilePeer(random.split());
                long until = Math.min(sim.now() + repairAfter, sim.faultPhaseEnd()); // gone when every fault heals
                sim.traceLine("  fault: hostile peer until " + until / 1000 + "ms");
                sim.schedule(sim.now(), () -> sendHostile(peer, nodes, until));
            }
            case LOSS -> {
                network.lossRate = random.nextDouble() * 0.3;
                sim.traceLine("  fault: loss " + network.lossRate);
                sim.schedule(sim.now() + repairAfter, () -> network.lossRate = 0);
            }
            case DUPLICATE -> {
                network.duplicateRate = random.nextDouble() * 0.2;
                sim.traceLine("  fault: duplicate " + network.duplicateRate);
                sim.schedule(sim.now() + repairAfter, () -> network.duplicateRate = 0);
            }
            case REORDER -> {
                network.jitterMicros = random.nextLong(5_000, 40_000);
                sim.traceLine("  fault: jitter " + network.jitterMicros + "us");
                sim.schedule(sim.now() + repairAfter, () -> network.jitterMicros = 1_500);
            }
            default -> throw new IllegalStateException("not an injected fault: " + fault);
        }
    }

    /** One hostile message to a live member every 0.2-5 ms, until {@code until}. */
    private void sendHostile(HostilePeer peer, List<SimNode> nodes, long until) {
        if (sim.now() >= until) {
            sim.traceLine("  repair: hostile peer gone");
            return;
        }
        SimNode target = nodes.get(random.nextInt(nodes.size()));
        List<MemberId> members = new ArrayList<>();
        nodes.forEach(node -> members.add(node.id()));
        Input.Receive input = peer.next(members);
        if (target.alive()) {
            sim.input(target, input);
            sim.count(Injected.HOSTILE_MESSAGE);
        }
        sim.schedule(sim.now() + random.nextLong(200, 5_000), () -> sendHostile(peer, nodes, until));
    }

    /** Faults that, on top of a lost disk not yet adjusted to, could leave the group without a quorum for good. */
    private static boolean permanentlyHarmful(Fault fault) {
        return fault == Fault.CRASH
                || fault == Fault.WIPE
                || fault == Fault.DAMAGE
                || fault == Fault.PARTITION
                || fault == Fault.ONE_WAY;
    }

    private void healLinks() {
        network.healLinks();
        sim.traceLine("  repair: links healed");
    }

    private static String sides(boolean[] left) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < left.length; i++) {
            out.append(left[i] ? 'L' : 'R');
        }
        return out.toString();
    }
}
