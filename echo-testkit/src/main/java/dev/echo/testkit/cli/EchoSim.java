package dev.echo.testkit.cli;

import dev.echo.testkit.sim.Fault;
import dev.echo.testkit.sim.JournalMutation;
import dev.echo.testkit.sim.Mutation;
import dev.echo.testkit.sim.NodeSimulation;
import dev.echo.testkit.sim.RunCounts;
import dev.echo.testkit.sim.RuntimeMutation;
import dev.echo.testkit.sim.Simulation;
import dev.echo.testkit.sim.SimulationOptions;
import dev.echo.testkit.sim.SimulationResult;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * {@code bin/echo-sim}: runs the deterministic simulator over a range of seeds and prints, for each failure, the
 * seed and the exact command that replays it; the last line is {@code N passed, N failed}. Exit status 0 when every
 * seed passed, 1 when any failed, 2 for bad arguments.
 *
 * <p>{@code main} runs the seeds on the calling thread and blocks until every one has run.
 */
public final class EchoSim {
    private EchoSim() {}

    private static final String USAGE = """
            Usage: bin/echo-sim --seeds A..B [--members N] [--faults all|none|LIST] [--mutation NAME]
                   bin/echo-sim --seed S [--members N] [--faults ...] [--trace]
                   bin/echo-sim --seeds A..B --hashes
                   bin/echo-sim --nodes --seeds A..B [--members N] [--faults ...]
                   bin/echo-sim --soak [--seeds A..B]

            Runs Echo's protocol core under a seeded simulated world (network delay, loss, duplication,
            reordering, partitions, clock drift, crashes, torn writes, wiped disks) with a client workload, checks the
            invariants of PROTOCOL.md section 11 after every step, checks the client history for
            linearizability, then heals every fault and requires a new commit within a bound.

              --seeds A..B     run seeds A to B inclusive (default 1..100)
              --seed S         run one seed
              --members N      members per run, 1..7 (default: drawn 3..7 from each seed)
              --faults LIST    all (default), none, or a comma list of:
                               crash,torn_write,partition,one_way,loss,duplicate,reorder,clock_drift,
                               wipe (a member's disk is replaced; it returns under a new incarnation),
                               damage (a member's journal is damaged mid-log; it returns STORAGE_FAULTED
                                       and is repaired from its leader),
                               reconfigure (random membership changes, with spare members),
                               dynamic_voting (suspend silent voters after 0.6-2.5 s, re-admit them),
                               snapshot (snapshot every 20-200 entries, transfers in 32 B-4 KiB chunks),
                               hostile (an unauthenticated intruder and impostors send forged messages
                                        with random and out-of-domain fields; nothing may change),
                               eviction (members keep a few KiB of log in memory and read the rest back
                                         from their disk)
              --mutation NAME  switch on a deliberate protocol bug, to see the checks catch it:
                               commit_old_term_by_counting, ack_before_fsync, vote_while_leader_live,
                               skip_noop, truncate_on_shorter_append, skip_joint_consensus,
                               compact_before_snapshot_durable, switch_at_commit,
                               count_any_votes, ignore_incarnations, trust_strangers
              --fault-ms N     length of the fault phase in simulated ms (default 20000)
              --trace          print a step-by-step transcript (use with --seed)
              --hashes         print each seed's trace hash and a digest of its transcript, to compare
                               two builds of the core: a refactor must leave both unchanged
              --nodes          run whole nodes instead of the protocol core alone: real EchoNodes (runtime,
                               client sessions, snapshot worker, membership requests) on simulated time and
                               network, each on a real FileJournal over a simulated disk that loses unforced
                               writes in a crash; clients use the public API. Faults it injects, from --faults:
                               crash, torn_write, partition, loss, duplicate, reorder, reconfigure (changes
                               asked through the API), dynamic_voting, and disk faults of its own:
                               io_error (a force fails: the journal stops, an operator restarts the node),
                               disk_full (ENOSPC for a while), read_error (every read of a member's disk
                               fails for a while: evicted entries and snapshot chunks are read again
                               later), damage (a bit flip in forced data or a misdirected write; needs
                               dynamic_voting to re-admit the repaired member), bursts (a member runs
                               at once after only half of the client operations, so several clients'
                               commands reach its core in one step).
                               Checks: linearizability, §11.1 one leader per term, §11.3 terms never go back
                               (within a life by status, across restarts by the terms a member speaks in),
                               §11.8 commit and apply order, a commit after healing, convergence
              --runtime-mutation NAME  with --nodes: switch on a deliberate bug in every node's runtime:
                               expired_as_not_applied, stale_linearizable_reads,
                               resend_late_commands
              --journal-mutation NAME  with --nodes: switch on a deliberate bug in every node's journal:
                               ack_without_force, keep_torn_record
              --soak           a long run (default seeds 1..10000): prints progress every 10 s, with
                               seeds/s and faults/s on the one core the simulator uses
              --help           this text

            bin/echo-sim runs the JVM with the parallel collector (cheaper for one busy thread than G1);
            ECHO_SIM_JAVA_OPTS adds JVM options after it, e.g. ECHO_SIM_JAVA_OPTS=-XX:+UseG1GC.

            Prints each failing seed with a replay command, then what was tested: simulated time, the faults
            injected by kind (crash, torn_write, wipe, damage, io_error, disk_full, read_error, partition, one_way,
            hostile_message, dropped,
            duplicated, reordered messages, membership_change) and the client operations checked for
            linearizability, with the rates per second of wall time on one core (node and link faults apart
            from message faults). The last line is "N passed, N failed".
            """;

    /** Entry point; see the usage text. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        long first = 1;
        long last = 100;
        int members = 0;
        String faultSpec = "all";
        Set<Fault> faults = Fault.standard();
        Set<Mutation> mutations = EnumSet.noneOf(Mutation.class);
        long faultMillis = SimulationOptions.defaults(0).faultPhaseMillis();
        boolean trace = false;
        boolean hashes = false;
        boolean soak = false;
        boolean wholeNodes = false;
        Set<RuntimeMutation> runtimeMutations = EnumSet.noneOf(RuntimeMutation.class);
        Set<JournalMutation> journalMutations = EnumSet.noneOf(JournalMutation.class);
        boolean seedsGiven = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    case "--seeds" -> {
                        seedsGiven = true;
                        String[] range = value(args, ++i).split("\\.\\.");
                        first = Long.parseLong(range[0]);
                        last = range.length > 1 ? Long.parseLong(range[1]) : first;
                    }
                    case "--seed" -> {
                        seedsGiven = true;
                        first = Long.parseLong(value(args, ++i));
                        last = first;
                    }
                    case "--members" -> members = Integer.parseInt(value(args, ++i));
                    case "--faults" -> {
                        faultSpec = value(args, ++i);
                        faults = Fault.parse(faultSpec);
                    }
                    case "--mutation" ->
                        mutations.add(Mutation.valueOf(
                                value(args, ++i).toUpperCase(Locale.ROOT).replace('-', '_')));
                    case "--fault-ms" -> faultMillis = Long.parseLong(value(args, ++i));
                    case "--trace" -> trace = true;
                    case "--hashes" -> hashes = true;
                    case "--soak" -> soak = true;
                    case "--nodes" -> wholeNodes = true;
                    case "--runtime-mutation" ->
                        runtimeMutations.add(RuntimeMutation.valueOf(
                                value(args, ++i).toUpperCase(Locale.ROOT).replace('-', '_')));
                    case "--journal-mutation" ->
                        journalMutations.add(JournalMutation.valueOf(
                                value(args, ++i).toUpperCase(Locale.ROOT).replace('-', '_')));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (wholeNodes && !mutations.isEmpty()) {
                throw new IllegalArgumentException(
                        "--mutation breaks the protocol core alone; with --nodes use --runtime-mutation");
            }
            if ((!runtimeMutations.isEmpty() || !journalMutations.isEmpty()) && !wholeNodes) {
                throw new IllegalArgumentException(
                        "--runtime-mutation and --journal-mutation need --nodes: the runtime and the journal run in"
                                + " whole nodes only");
            }
            if (soak && !seedsGiven) {
                last = first + 9_999;
            }
            if (last < first) {
                throw new IllegalArgumentException("empty seed range " + first + ".." + last);
            }
        } catch (RuntimeException e) {
            err.println("echo-sim: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SimulationOptions base = new SimulationOptions(
                first,
                members,
                faults,
                mutations,
                faultMillis,
                SimulationOptions.defaults(0).livenessBoundMillis(),
                4);
        long passed = 0;
        long failed = 0;
        long steps = 0;
        long simulatedMicros = 0;
        RunCounts counts = RunCounts.none();
        long started = System.nanoTime();
        long lastReport = started;
        for (long seed = first; seed <= last; seed++) {
            TranscriptDigest transcript = hashes ? new TranscriptDigest() : null;
            PrintStream transcriptOut = hashes ? transcript.stream() : trace ? out : null;
            SimulationResult result = wholeNodes
                    ? NodeSimulation.run(base.withSeed(seed), runtimeMutations, journalMutations, transcriptOut)
                    : Simulation.run(base.withSeed(seed), transcriptOut);
            steps += result.steps();
            simulatedMicros += result.simulatedMicros();
            counts = counts.plus(result.counts());
            if (soak && System.nanoTime() - lastReport >= 10_000_000_000L) {
                lastReport = System.nanoTime();
                double elapsed = (lastReport - started) / 1e9;
                long done = seed - first + 1;
                out.printf(
                        "soak: %d seeds (%d failed) in %.0f s: %.1f seeds/s; per second on one core: %.1f node and"
                                + " link faults, %.0f message faults%n",
                        done,
                        failed,
                        elapsed,
                        done / elapsed,
                        counts.nodeAndLinkFaults() / elapsed,
                        counts.messageFaults() / elapsed);
            }
            if (hashes) {
                out.printf(
                        "seed %d: %s, trace hash %016x, transcript %s%n",
                        seed, result.passed() ? "passed" : "FAILED", result.traceHash(), transcript.hex());
            }
            if (result.passed()) {
                passed++;
                if (first == last) {
                    out.printf(
                            "seed %d passed: %d members, %d steps, trace hash %016x%n",
                            seed, result.members(), result.steps(), result.traceHash());
                }
            } else {
                failed++;
                out.printf(
                        "FAIL seed %d (%d members): %s%n",
                        seed, result.members(), result.failure().orElseThrow());
                out.printf(
                        "  replay: bin/echo-sim%s --seed %d%s --faults %s%s --trace%n",
                        wholeNodes ? " --nodes" : "",
                        seed,
                        members == 0 ? "" : " --members " + members,
                        faultSpec,
                        mutationFlags(mutations)
                                + runtimeMutationFlags(runtimeMutations)
                                + journalMutationFlags(journalMutations));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf(
                "ran %d seeds in %.1f s: %.1f seeds/s, %.0f simulated steps/s%n",
                passed + failed, seconds, (passed + failed) / seconds, steps / seconds);
        out.printf("tested: %.0f s simulated; %s%n", simulatedMicros / 1e6, counts);
        out.printf(
                "per second on one core: %.1f node and link faults, %.0f message faults, %.0f operations checked%n",
                counts.nodeAndLinkFaults() / seconds,
                counts.messageFaults() / seconds,
                counts.operationsChecked() / seconds);
        out.printf("%d passed, %d failed%n", passed, failed);
        return failed == 0 ? 0 : 1;
    }

    private static String mutationFlags(Set<Mutation> mutations) {
        StringBuilder flags = new StringBuilder();
        for (Mutation mutation : mutations) {
            flags.append(" --mutation ").append(mutation.name().toLowerCase(Locale.ROOT));
        }
        return flags.toString();
    }

    private static String runtimeMutationFlags(Set<RuntimeMutation> mutations) {
        StringBuilder flags = new StringBuilder();
        for (RuntimeMutation mutation : mutations) {
            flags.append(" --runtime-mutation ").append(mutation.name().toLowerCase(Locale.ROOT));
        }
        return flags.toString();
    }

    private static String journalMutationFlags(Set<JournalMutation> mutations) {
        StringBuilder flags = new StringBuilder();
        for (JournalMutation mutation : mutations) {
            flags.append(" --journal-mutation ").append(mutation.name().toLowerCase(Locale.ROOT));
        }
        return flags.toString();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("missing value for " + args[i - 1]);
        }
        return args[i];
    }
}
