package dev.echo.testkit.sim;

import java.util.EnumSet;
import java.util.Set;

/**
 * What one simulated run does. The seed fixes everything else: the same options give the same run, step for step.
 *
 * <p>Immutable.
 *
 * @param seed the run's seed
 * @param members number of members, 3..7; 0 draws it from the seed
 * @param faults the faults to inject during the fault phase
 * @param mutations deliberate protocol bugs (self-tests of the checkers)
 * @param faultPhaseMillis simulated length of the fault phase
 * @param livenessBoundMillis after healing, the group must commit a new write within this simulated time
 * @param clients number of concurrent clients in the workload
 */
public record SimulationOptions(
        long seed,
        int members,
        Set<Fault> faults,
        Set<Mutation> mutations,
        long faultPhaseMillis,
        long livenessBoundMillis,
        int clients) {

    /** Validates ranges. */
    public SimulationOptions {
        if (members != 0 && (members < 1 || members > 7)) {
            throw new IllegalArgumentException("members must be 1..7 (or 0 to draw 3..7): " + members);
        }
        if (faultPhaseMillis < 0 || livenessBoundMillis < 1000 || clients < 1) {
            throw new IllegalArgumentException("bad durations or client count");
        }
        faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
        mutations = mutations.isEmpty() ? EnumSet.noneOf(Mutation.class) : EnumSet.copyOf(mutations);
    }

    /** The defaults of {@code bin/echo-sim}: members drawn per seed, every fault, 20 s of faults. */
    public static SimulationOptions defaults(long seed) {
        return new SimulationOptions(seed, 0, Fault.standard(), EnumSet.noneOf(Mutation.class), 20_000, 30_000, 4);
    }

    /** A copy with another seed. */
    public SimulationOptions withSeed(long newSeed) {
        return new SimulationOptions(
                newSeed, members, faults, mutations, faultPhaseMillis, livenessBoundMillis, clients);
    }

    /** A copy with deliberate bugs switched on. */
    public SimulationOptions withMutations(Set<Mutation> bugs) {
        return new SimulationOptions(seed, members, faults, bugs, faultPhaseMillis, livenessBoundMillis, clients);
    }

    /** A copy with a member count (0 = drawn). */
    public SimulationOptions withMembers(int count) {
        return new SimulationOptions(seed, count, faults, mutations, faultPhaseMillis, livenessBoundMillis, clients);
    }

    /** A copy with the given faults. */
    public SimulationOptions withFaults(Set<Fault> kinds) {
        return new SimulationOptions(seed, members, kinds, mutations, faultPhaseMillis, livenessBoundMillis, clients);
    }
}
