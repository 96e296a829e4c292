package dev.echo.bench.e2e;

import dev.echo.bench.BenchFiles;
import dev.echo.core.Ordering;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The end-to-end benchmark of issue #7 ({@code bin/echo-bench cluster}): three {@link BenchMember} JVMs
 * ({@code -Xmx1g} and {@code -XX:MaxTenuringThreshold=0} each, as docs/operations.md recommends) on loopback TCP,
 * each with its own data directory and fsync on; a closed loop of C outstanding {@code ReplicatedGroup.submit}
 * calls at the leader, warm-up then measurement, for each C. Prints one line per C, which reads
 * {@code echo C=.. ops/s=.. p50_us=.. p99_us=.. p999_us=.. max_us=.. errors=.. cpu_us_per_op=..}, where
 * CPU is summed over the three processes during the measured window. Cleans up its processes and directories.
 *
 * <p>Single-threaded coordinator; talks to each member over its stdin/stdout.
 */
public final class ClusterBench {
    private static final String USAGE = """
            Usage: bin/echo-bench cluster [--clients 1,64,256] [--seconds 20] [--warmup 30] [--dir DIR] [--noise N]
                                          [--multicast [--all-send] [--ordering fifo|causal|total]]
                                          [--heap OPS [--every N]] [--catch-up MIB]
                                          [--restart MIB]

            Starts three Echo members as separate JVMs (-Xmx1g -XX:MaxTenuringThreshold=0 each) on loopback
            TCP, each with its own data directory (under DIR, default the system temp directory) and fsync
            on; runs a closed loop of C outstanding ReplicatedGroup.submit calls at the leader (16-byte
            keys over 100,000, 100-byte values, HashMap state machine), warm-up then measurement, for each
            C; prints one line
            per C, the CPU time per operation summed over the three processes, and the elections during
            the run (warm-up included: the rise of the highest term). First it prints the floor of one
            commit on this machine, measured from Java in the same run: the median of a 128-byte write and
            force on DIR's disk, of a loopback TCP round trip, and 1.5 x (fsync + 2 round trips), the C=1
            target of issue 20. After each C's line, on Linux, a cpu line splits the CPU per operation by
            kind of member thread (loop, transport, journal writer, segment allocator, GC, JIT, other).
            --noise N runs N busy threads beside the cluster for the whole run, as on a shared machine.
            Removes its processes and directories at the end. --multicast measures view-synchronous
            multicast instead: a closed loop of C outstanding 100-byte multicasts at a follower (each done
            when that member delivered it), and the rate at which the slowest member delivered them; with
            --all-send every member runs such a loop (C each), and sent/s is their sum; --ordering picks
            the multicasts' ordering (default fifo). --heap OPS submits OPS operations to a group that never
            snapshots and, every N operations (default 1,000,000), prints each member's live heap after a
            full collection. --catch-up MIB stops a follower, writes MIB MiB of log at the leader, restarts
            the follower and times its catch-up from the leader's disk, with a closed loop of C submits at
            the leader meanwhile; it also reads the leader's segments once, for the disk's sequential rate.
            --restart MIB writes MIB MiB of journal records at the leader of a group that never snapshots
            (or, with -Decho.bench.snapshotEvery=N in ECHO_BENCH_MEMBER_OPTS, snapshots every N entries),
            restarts a follower and times it until its node is up and until it has answered a linearizable
            read.
            """;

    private ClusterBench() {}

    /** The options of one run. */
    record Options(
            List<Integer> clients,
            int seconds,
            int warmup,
            Path dir,
            int noise,
            boolean multicast,
            boolean allSend,
            Ordering ordering,
            long heapOperations,
            long heapEvery,
            int catchUpMib,
            int restartMib) {
        static Options parse(String[] args) {
            List<Integer> clients = List.of(1, 64, 256);
            int seconds = 20;
            // Three JVMs on two cores take about 20 s before their JIT compilers go quiet (docs/benchmarks.md): a
            // shorter warm-up measures the compiler, not Echo.
            int warmup = 30;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            int noise = 0;
            boolean multicast = false;
            boolean allSend = false;
            Ordering ordering = null;
            long heapOperations = 0;
            long heapEvery = 1_000_000;
            int catchUpMib = 0;
            int restartMib = 0;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (args[i].equals("--multicast")) {
                    multicast = true;
                    continue;
                }
                if (args[i].equals("--all-send")) {
                    allSend = true;
                    continue;
                }
                switch (args[i]) {
                    case "--clients" ->
                        clients = Stream.of(require(value, args[i]).split(","))
                                .map(s -> positive(s, "--clients"))
                                .toList();
                    case "--seconds" -> seconds = positive(require(value, args[i]), args[i]);
                    case "--warmup" -> warmup = Integer.parseInt(require(value, args[i]));
                    case "--dir" -> dir = Path.of(require(value, args[i]));
                    case "--noise" -> noise = Integer.parseInt(require(value, args[i]));
                    case "--heap" -> heapOperations = positive(require(value, args[i]), args[i]);
                    case "--every" -> heapEvery = positive(require(value, args[i]), args[i]);
                    case "--catch-up" -> catchUpMib = positive(require(value, args[i]), args[i]);
                    case "--restart" -> restartMib = positive(require(value, args[i]), args[i]);
                    case "--ordering" -> ordering = ordering(require(value, args[i]));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (noise < 0) {
                throw new IllegalArgumentException("--noise must not be negative: " + noise);
            }
            if ((allSend || ordering != null) && !multicast) {
                throw new IllegalArgumentException("--all-send and --ordering go with --multicast");
            }
            if (heapOperations > 0 && (multicast || clients.size() != 1)) {
                throw new IllegalArgumentException("--heap runs submits at one --clients value");
            }
            if (catchUpMib > 0 && (multicast || heapOperations > 0 || clients.size() != 1)) {
                throw new IllegalArgumentException("--catch-up runs submits at one --clients value");
            }
            return new Options(
                    clients,
                    seconds,
                    warmup,
                    dir,
                    noise,
                    multicast,
                    allSend,
                    ordering == null ? Ordering.FIFO : ordering,
                    heapOperations,
                    heapEvery,
                    catchUpMib,
                    restartMib);
        }

        private static Ordering ordering(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "fifo" -> Ordering.FIFO;
                case "causal" -> Ordering.CAUSAL;
                case "total" -> Ordering.TOTAL;
                default -> throw new IllegalArgumentException("--ordering must be fifo, causal or total: " + text);
            };
        }

        private static String require(String value, String option) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }

        private static int positive(String text, String option) {
            int value = Integer.parseInt(text.trim());
            if (value < 1) {
                throw new IllegalArgumentException(option + " must be positive: " + text);
            }
            return value;
        }
    }

    /** One member process and its command channel. */
    static final class Member implements AutoCloseable {
        final String id;
        final Process process;
        final BufferedReader out;
        final Writer in;

        Member(String id, Process process) {
            this.id = id;
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        void tell(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
        }

        String ask(String command, String expectedPrefix) throws IOException {
            in.write(command + "\n");
            in.flush();
            return await(expectedPrefix);
        }

        String await(String prefix) throws IOException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IOException(id + " exited before answering " + prefix);
        }

        Duration cpu() {
            return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
        }

        @Override
        public void close() {
            try {
                in.write("QUIT\n");
                in.flush();
            } catch (IOException gone) {
                // already exited
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException interrupted) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException bad) {
            System.err.println("echo-bench cluster: " + bad.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    static void run(Options options, PrintStream report) throws Exception {
        Path root = Files.createTempDirectory(options.dir(), "echo-bench-");
        List<Member> members = new ArrayList<>();
        Thread cleanup = new Thread(() -> {
            members.forEach(m -> m.process.destroyForcibly());
            delete(root);
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        Noise cleanupNoise = null;
        try {
            report.printf(
                    Locale.ROOT,
                    "# 3 members, loopback TCP, fsync on, -Xmx1g -XX:MaxTenuringThreshold=0 each; %d cores;"
                            + " warm-up %d s, measured %d s; %d busy thread(s) beside%n",
                    Runtime.getRuntime().availableProcessors(),
                    options.warmup(),
                    options.seconds(),
                    options.noise());
            if (plainRun(options)) {
                report.println(Floor.measure(root).line()); // before the noise: the machine's own floor
            }
            Noise noise = Noise.start(options.noise());
            cleanupNoise = noise;
            for (int clients : options.clients()) {
                // A fresh cluster per C: each run starts from an empty log.
                Path runDir = root.resolve("c" + clients);
                String peers = peers();
                for (String id : List.of("n1", "n2", "n3")) {
                    members.add(start(id, runDir.resolve(id), peers, options.multicast()));
                }
                for (Member member : members) {
                    member.await("READY");
                }
                Member leader = awaitLeader(members);
                if (options.restartMib() > 0) {
                    CatchUp.restart(members, leader, runDir, peers, options.restartMib(), report);
                } else if (options.catchUpMib() > 0) {
                    CatchUp.measure(members, leader, runDir, peers, clients, options.catchUpMib(), report);
                } else if (options.heapOperations() > 0) {
                    heapCurve(members, leader, clients, options, report);
                } else if (options.multicast()) {
                    long termBefore = highestTerm(members);
                    report.println(multicastRun(members, leader, clients, options) + " elections="
                            + (highestTerm(members) - termBefore));
                } else {
                    submitRun(members, leader, clients, options, report);
                }
                members.forEach(Member::close);
                members.clear();
                delete(runDir);
            }
        } finally {
            if (cleanupNoise != null) {
                cleanupNoise.close();
            }
            members.forEach(Member::close);
            delete(root);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    /**
     * The submit benchmark: C outstanding submits at the leader, warm-up then measurement; one line, and the CPU split
     * by kind of thread where the platform shows it. CPU time of every member is sampled exactly at the start and end
     * of the measured window.
     */
    private static void submitRun(List<Member> members, Member leader, int clients, Options options, PrintStream report)
            throws IOException {
        long termBefore = highestTerm(members);
        leader.ask("RUN " + clients + " " + options.warmup() + " " + options.seconds(), "MEASURE_START");
        Duration[] before = cpu(members);
        Map<String, Long> threadsBefore = ThreadCpu.snapshot(members);
        leader.await("MEASURE_END");
        Duration[] after = cpu(members);
        Map<String, Long> threadsAfter = ThreadCpu.snapshot(members);
        String result = leader.await("RESULT");
        long elections = highestTerm(members) - termBefore;
        report.println(line(clients, result, before, after) + " elections=" + elections);
        String byThread = ThreadCpu.line(
                clients, threadsBefore, threadsAfter, cpuMicrosPerOp(field(result, "ops"), before, after));
        if (byThread != null) {
            report.println(byThread);
        }
    }

    /** The submit benchmark itself, not one of the other modes. */
    private static boolean plainRun(Options options) {
        return !options.multicast()
                && options.heapOperations() == 0
                && options.catchUpMib() == 0
                && options.restartMib() == 0;
    }

    /**
     * The heap curve of issue 22: submits at the leader, {@code every} operations at a time, and after each stretch
     * the live heap of every member (after a full collection). The group never snapshots, so only the log cache's
     * budget bounds what its members hold of the log. Elections are counted within each stretch; those the
     * collections themselves may cause, between stretches, are not.
     */
    private static void heapCurve(List<Member> members, Member leader, int clients, Options options, PrintStream report)
            throws IOException, InterruptedException {
        for (long done = 0; done < options.heapOperations(); ) {
            // A full collection pauses a member for longer than an election timeout: leadership may have moved.
            leader = awaitLeader(members);
            long termBefore = highestTerm(members);
            String result = leader.ask("COUNT " + clients + " " + options.heapEvery(), "RESULT");
            long elections = highestTerm(members) - termBefore;
            done += field(result, "ops");
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "heap C=%d ops=%d", clients, done));
            for (Member member : members) {
                long used = Long.parseLong(member.ask("HEAP", "HEAP").substring("HEAP used=".length()));
                line.append(String.format(Locale.ROOT, " %s_mib=%.1f", member.id, used / 1048576.0));
            }
            line.append(" ops_s=")
                    .append(field(result, "ops_s"))
                    .append(" errors=")
                    .append(field(result, "errors"))
                    .append(" elections=")
                    .append(elections)
                    .append(" first_error=")
                    .append(result.substring(result.indexOf("first_error=") + "first_error=".length()));
            report.println(line);
        }
    }

    /**
     * One multicast run: the closed loop at a follower (the path through the sequencer, not the leader's shortcut);
     * every member's delivered count and CPU sampled at the start and end of the measured window.
     */
    private static String multicastRun(List<Member> members, Member leader, int clients, Options options)
            throws IOException {
        Member follower = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        List<Member> senders = options.allSend() ? members : List.of(follower);
        for (Member sender : senders) {
            sender.tell(
                    "MCAST " + clients + " " + options.warmup() + " " + options.seconds() + " " + options.ordering());
        }
        Map<Member, String> starts = new HashMap<>();
        for (Member sender : senders) {
            starts.put(sender, sender.await("MEASURE_START"));
        }
        Duration[] cpuBefore = cpu(members);
        long[] before = delivered(members, starts);
        Map<Member, String> ends = new HashMap<>();
        for (Member sender : senders) {
            ends.put(sender, sender.await("MEASURE_END"));
        }
        Duration[] cpuAfter = cpu(members);
        long[] after = delivered(members, ends);
        long sent = 0;
        String result = "";
        for (Member sender : senders) {
            String senderResult = sender.await("RESULT");
            sent += field(senderResult, "ops_s");
            if (sender == follower) {
                result = senderResult; // latencies are the follower's: the path through the sequencer
            }
        }
        long slowest = Long.MAX_VALUE;
        for (int i = 0; i < before.length; i++) {
            slowest = Math.min(slowest, after[i] - before[i]);
        }
        long cpuNanos = 0;
        for (int i = 0; i < cpuBefore.length; i++) {
            cpuNanos += cpuAfter[i].minus(cpuBefore[i]).toNanos();
        }
        return String.format(
                Locale.ROOT,
                "multicast C=%d ordering=%s sent/s=%d delivered_at_all/s=%d p50_us=%d p99_us=%d p999_us=%d"
                        + " max_us=%d errors=%d cpu_us_per_msg=%.1f",
                clients,
                options.ordering().name().toLowerCase(Locale.ROOT),
                sent,
                slowest / options.seconds(),
                field(result, "p50_us"),
                field(result, "p99_us"),
                field(result, "p999_us"),
                field(result, "max_us"),
                field(result, "errors"),
                slowest == 0 ? Double.NaN : cpuNanos / 1000.0 / slowest);
    }

    /** Each member's delivered count: a sender's from its measure line, the others' asked now. */
    private static long[] delivered(List<Member> members, Map<Member, String> senderLines) throws IOException {
        long[] counts = new long[members.size()];
        for (int i = 0; i < counts.length; i++) {
            Member member = members.get(i);
            counts[i] = senderLines.containsKey(member)
                    ? field(senderLines.get(member), "delivered")
                    : Long.parseLong(member.ask("DELIVERED", "DELIVERED")
                            .substring("DELIVERED ".length())
                            .trim());
        }
        return counts;
    }

    /** The CPU time of all members over the measured window, per operation. */
    private static double cpuMicrosPerOp(long ops, Duration[] before, Duration[] after) {
        long cpuNanos = 0;
        for (int i = 0; i < before.length; i++) {
            cpuNanos += after[i].minus(before[i]).toNanos();
        }
        return ops == 0 ? Double.NaN : cpuNanos / 1000.0 / ops;
    }

    private static String line(int clients, String result, Duration[] before, Duration[] after) {
        double cpuMicrosPerOp = cpuMicrosPerOp(field(result, "ops"), before, after);
        return String.format(
                Locale.ROOT,
                "echo C=%d ops/s=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d cpu_us_per_op=%.1f",
                clients,
                field(result, "ops_s"),
                field(result, "p50_us"),
                field(result, "p99_us"),
                field(result, "p999_us"),
                field(result, "max_us"),
                field(result, "errors"),
                cpuMicrosPerOp);
    }

    static long field(String result, String name) {
        for (String word : result.split("\\s+")) {
            if (word.startsWith(name + "=")) {
                return Long.parseLong(word.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException("no " + name + " in " + result);
    }

    /** The highest term any member reports: its rise over a run counts the elections in it. */
    static long highestTerm(List<Member> members) throws IOException {
        long highest = 0;
        for (Member member : members) {
            String answer = member.ask("TERM", "TERM");
            highest = Math.max(
                    highest, Long.parseLong(answer.substring("TERM ".length()).trim()));
        }
        return highest;
    }

    /**
     * Busy threads beside the cluster, as another tenant of a shared machine: each spins on arithmetic until closed.
     * Thread-safe: {@link #close()} may be called from any thread.
     */
    private static final class Noise implements AutoCloseable {
        private volatile boolean running = true;
        private final List<Thread> threads = new ArrayList<>();
        /** Written so the spinning is not optimised away. */
        private volatile long sink;

        static Noise start(int threadCount) {
            Noise noise = new Noise();
            for (int i = 0; i < threadCount; i++) {
                Thread thread = new Thread(noise::spin, "echo-bench-noise-" + i);
                thread.setDaemon(true);
                noise.threads.add(thread);
                thread.start();
            }
            return noise;
        }

        private void spin() {
            long x = 1;
            while (running) {
                for (int i = 0; i < 1_000_000; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
                sink = x;
            }
        }

        @Override
        public void close() {
            running = false;
            for (Thread thread : threads) {
                try {
                    thread.join(1_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static Duration[] cpu(List<Member> members) {
        Duration[] cpu = new Duration[members.size()];
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] = members.get(i).cpu();
        }
        return cpu;
    }

    static Member awaitLeader(List<Member> members) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (Member member : members) {
                if (member.ask("ROLE", "ROLE").equals("ROLE LEADER")) {
                    return member;
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("no leader within 30 s");
    }

    static Member start(String id, Path dir, String peers, boolean multicast) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Promoting what survives one young collection: the log cache's entries live for seconds, and G1 would copy
        // them between survivor spaces up to 15 times (docs/operations.md, "Heap and collector").
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:MaxTenuringThreshold=0"));
        // Extra JVM options for the members, after the defaults so that they win, e.g. a JFR recording:
        // ECHO_BENCH_MEMBER_OPTS="-XX:StartFlightRecording=..."
        String extra =
                System.getenv().getOrDefault("ECHO_BENCH_MEMBER_OPTS", "").replace("{id}", id);
        for (String option : extra.trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"), BenchMember.class.getName(), id, dir.toString(), peers));
        if (multicast) {
            command.add("multicast");
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT); // warnings only (logback.xml), on our stderr
        return new Member(id, builder.start());
    }

    private static String peers() throws IOException {
        List<String> pairs = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            try (ServerSocket probe = new ServerSocket(0)) { // a free port, released for the member to bind
                pairs.add(id + "=127.0.0.1:" + probe.getLocalPort());
            }
        }
        return String.join(",", pairs);
    }

    private static void delete(Path root) {
        try {
            BenchFiles.deleteRecursively(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
