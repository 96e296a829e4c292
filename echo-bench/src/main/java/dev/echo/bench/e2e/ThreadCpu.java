package dev.echo.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the members' CPU goes, by kind of thread: a snapshot of every member thread's CPU time from
 * {@code /proc/<pid>/task/<tid>/stat} (Linux), taken at both ends of the measured window. The kernel counts in clock
 * ticks, so the breakdown is given as shares of the ticks, scaled to the exact CPU per operation the benchmark
 * measured per process. Threads are told apart by name (the kernel keeps the first 15 characters).
 *
 * <p>Used by the coordinator's one thread; reads only files, never blocks for long.
 */
final class ThreadCpu {
    /** Kinds of thread, in the order they are printed, each with the name prefixes it covers. */
    private static final Map<String, List<String>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("loop", List.of("echo-loop"));
        KINDS.put("transport", List.of("echo-tcp", "echo-udp"));
        KINDS.put("journal", List.of("echo-journal-wr"));
        KINDS.put("allocator", List.of("echo-journal-al"));
        KINDS.put("gc", List.of("GC Thread", "G1 "));
        KINDS.put("jit", List.of("C1 CompilerThre", "C2 CompilerThre"));
    }

    private static final String OTHER = "other";

    private ThreadCpu() {}

    /** Ticks per thread, keyed by process, thread id and name; empty where there is no {@code /proc}. */
    static Map<String, Long> snapshot(List<ClusterBench.Member> members) {
        Map<String, Long> ticks = new HashMap<>();
        for (ClusterBench.Member member : members) {
            Path tasks = Path.of("/proc", Long.toString(member.process.pid()), "task");
            try (Stream<Path> threads = Files.list(tasks)) {
                threads.forEach(thread -> readThread(thread, ticks));
            } catch (IOException | RuntimeException gone) {
                // not Linux, or the process ended: no breakdown for it
            }
        }
        return ticks;
    }

    /**
     * One line, {@code cpu C=.. loop_us=.. transport_us=.. ..}: the CPU per operation of each kind of thread, summed
     * over the members, or null if no ticks were counted.
     */
    static String line(int clients, Map<String, Long> before, Map<String, Long> after, double cpuMicrosPerOp) {
        Map<String, Long> byKind = new LinkedHashMap<>();
        KINDS.keySet().forEach(kind -> byKind.put(kind, 0L));
        byKind.put(OTHER, 0L);
        long total = 0;
        for (Map.Entry<String, Long> thread : after.entrySet()) {
            long used = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
            byKind.merge(kindOf(thread.getKey().substring(thread.getKey().indexOf(' ') + 1)), used, Long::sum);
            total += used;
        }
        if (total <= 0) {
            return null;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "cpu C=%d", clients));
        for (Map.Entry<String, Long> kind : byKind.entrySet()) {
            line.append(
                    String.format(Locale.ROOT, " %s_us=%.1f", kind.getKey(), cpuMicrosPerOp * kind.getValue() / total));
        }
        return line.toString();
    }

    private static String kindOf(String threadName) {
        for (Map.Entry<String, List<String>> kind : KINDS.entrySet()) {
            for (String prefix : kind.getValue()) {
                if (threadName.startsWith(prefix)) {
                    return kind.getKey();
                }
            }
        }
        return OTHER;
    }

    /** Adds one thread's user and system ticks (fields 14 and 15 of its stat line, after the parenthesised name). */
    private static void readThread(Path thread, Map<String, Long> ticks) {
        try {
            String stat = Files.readString(thread.resolve("stat"), StandardCharsets.UTF_8);
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String name = stat.substring(open + 1, close);
            String[] fields = stat.substring(close + 2).trim().split("\\s+");
            long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            ticks.put(thread.getParent().getParent().getFileName() + "/" + thread.getFileName() + " " + name, used);
        } catch (IOException | RuntimeException gone) {
            // the thread ended between listing and reading
        }
    }
}
