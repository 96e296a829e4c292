package dev.echo.testkit.sim;

import dev.echo.core.StateMachine;
import dev.echo.core.runtime.RuntimeRules;
import dev.echo.journal.rules.JournalRules;
import dev.echo.testkit.lin.Model;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Runs an application's own state machine under the whole-node simulator: real Echo nodes on simulated time and
 * network, each on a real file journal over a simulated disk, with crashes, torn writes, partitions, message loss,
 * duplication and reordering (and, when asked, failing and full disks), driven by the application's clients through
 * the public API. Each run checks that the group commits again once every fault heals and that the
 * members converge to the same state, and, given a {@link Model}, that the clients' history is linearizable.
 *
 * <pre>{@code
 * EchoSimulation simulation = EchoSimulation.of(ConfigMap::new)
 *         .members(3, 5)
 *         .workload((random, client) -> random.nextBoolean()
 *                 ? ClientWorkload.Request.command(ConfigMap.put("k" + random.nextInt(4), "v" + random.nextInt(9)))
 *                 : ClientWorkload.Request.query(ConfigMap.get("k" + random.nextInt(4))))
 *         .check(new ConfigMapModel());
 * simulation.assertPasses(seed); // or run(seed) for the result
 * }</pre>
 *
 * With JUnit 5, {@code @SimulationTest(seeds = 200)} runs a test method once per seed
 * ({@link dev.echo.testkit.junit.SimulationTest}).
 *
 * <p>Deterministic: one seed fixes everything, so a failing seed replays exactly. The state machine and the workload
 * must draw every choice from the random source they are given, and the state machine must be deterministic, as Echo
 * requires anyway. Immutable settings are copied into each run; not thread-safe while being configured.
 */
public final class EchoSimulation {
    private final Supplier<StateMachine> stateMachines;
    private ClientWorkload workload;
    private Model<?> model;
    private int minMembers = 3;
    private int maxMembers = 5;
    private int clients = 4;
    private Set<Fault> faults =
            EnumSet.of(Fault.CRASH, Fault.TORN_WRITE, Fault.PARTITION, Fault.LOSS, Fault.DUPLICATE, Fault.REORDER);

    private EchoSimulation(Supplier<StateMachine> stateMachines) {
        this.stateMachines = Objects.requireNonNull(stateMachines, "stateMachines");
    }

    /** A simulation whose members each run a fresh state machine from {@code stateMachines}. */
    public static EchoSimulation of(Supplier<StateMachine> stateMachines) {
        return new EchoSimulation(stateMachines);
    }

    /** How many members a run has, drawn from the seed between {@code min} and {@code max} (default 3 to 5). */
    public EchoSimulation members(int min, int max) {
        if (min < 1 || max > 7 || min > max) {
            throw new IllegalArgumentException("members must be a range within 1..7: " + min + ".." + max);
        }
        minMembers = min;
        maxMembers = max;
        return this;
    }

    /** How many clients run requests concurrently, one at a time each (default 4). */
    public EchoSimulation clients(int count) {
        if (count < 1 || count > 64) {
            throw new IllegalArgumentException("clients must be 1..64: " + count);
        }
        clients = count;
        return this;
    }

    /**
     * The faults each run injects (default: crashes that lose unforced writes and tear some, partitions, lost,
     * duplicated and reordered messages). {@link Fault#IO_ERROR}, {@link Fault#DISK_FULL} and
     * {@link Fault#READ_ERROR} add failing disks, and {@link Fault#standard()} also membership changes, dynamic voting
     * and damaged disks; faults only the protocol simulator injects are ignored. Each fault that restarts members
     * leaves more operations with no known outcome, which a model with one part (no {@link Model#partition}) may take
     * long to check.
     */
    public EchoSimulation faults(Set<Fault> kinds) {
        faults = kinds.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(kinds);
        return this;
    }

    /** What the clients ask (required). */
    public EchoSimulation workload(ClientWorkload requests) {
        workload = Objects.requireNonNull(requests, "requests");
        return this;
    }

    /** Checks every run's history for linearizability against {@code sequentialModel}. */
    public EchoSimulation check(Model<?> sequentialModel) {
        model = Objects.requireNonNull(sequentialModel, "sequentialModel");
        return this;
    }

    /**
     * Runs one seed: about 20 s of simulated faults, then healing, then up to 30 s for a new commit.
     *
     * @throws IllegalStateException if no workload was given
     */
    public SimulationResult run(long seed) {
        if (workload == null) {
            throw new IllegalStateException("a workload is required: what do the clients ask?");
        }
        int members = new SplittableRandom(seed ^ 0x5DEECE66DL).nextInt(minMembers, maxMembers + 1);
        SimulationOptions options =
                new SimulationOptions(seed, members, faults, EnumSet.noneOf(Mutation.class), 20_000, 30_000, clients);
        return NodeSimulation.run(
                options,
                new NodeSimulation.Setup(stateMachines, workload, model, RuntimeRules.STRICT, JournalRules.STRICT),
                null);
    }

    /**
     * Runs one seed and throws if any check failed.
     *
     * @throws AssertionError naming the seed and the rule broken
     */
    public void assertPasses(long seed) {
        SimulationResult result = run(seed);
        if (!result.passed()) {
            throw new AssertionError("seed " + seed + " (" + result.members() + " members) failed: "
                    + result.failure().orElseThrow()
                    + "; replay it alone with -Decho.sim.seed=" + seed);
        }
    }
}
