package dev.echo.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * The catch-up benchmark of issue 22 ({@code bin/echo-bench --catch-up MIB}): a follower is stopped, the leader
 * writes MIB MiB of log, far beyond its 64 MiB cache, and the follower restarts and catches up from entries the
 * leader reads back from its journal. Prints the catch-up rate, the leader's p99 for a closed loop of submits during
 * the catch-up against the same loop before it, and, for comparison, the rate at which the leader's segment files
 * read sequentially on this machine right after.
 *
 * <p>Single-threaded; called by {@link ClusterBench} with a fresh cluster.
 */
final class CatchUp {
    /** The closed loop at the leader, before the follower stops and while it catches up. */
    private static final int LOOP_SECONDS = 10;

    private CatchUp() {}

    static void measure(
            List<ClusterBench.Member> members,
            ClusterBench.Member leader,
            Path runDir,
            String peers,
            int clients,
            int mib,
            PrintStream report)
            throws IOException, InterruptedException {
        String baseline = leader.ask("RUN " + clients + " 5 " + LOOP_SECONDS, "RESULT");
        long termBefore = ClusterBench.highestTerm(members);
        int followerIndex = members.get(0) == leader ? 1 : 0;
        ClusterBench.Member follower = members.get(followerIndex);
        String id = follower.id;
        follower.close();

        Path leaderDir = runDir.resolve(leader.id);
        long before = segmentBytes(leaderDir);
        long written = 0;
        while (segmentBytes(leaderDir) - before < (long) mib << 20) {
            written += ClusterBench.field(leader.ask("COUNT 256 200000", "RESULT"), "ops");
        }
        long behindBytes = segmentBytes(leaderDir) - before;
        long target = Long.parseLong(
                leader.ask("APPLIED", "APPLIED").substring("APPLIED ".length()).trim());

        ClusterBench.Member restarted = ClusterBench.start(id, runDir.resolve(id), peers, false);
        members.set(followerIndex, restarted);
        restarted.await("READY");
        long start = System.nanoTime();
        leader.ask("RUN " + clients + " 0 " + LOOP_SECONDS, "MEASURE_START"); // the loop runs while it catches up
        long applied = 0;
        while (applied < target) {
            Thread.sleep(20);
            applied = Long.parseLong(restarted
                    .ask("APPLIED", "APPLIED")
                    .substring("APPLIED ".length())
                    .trim());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String during = leader.await("RESULT");
        long elections = ClusterBench.highestTerm(members) - termBefore;
        double sequential = sequentialReadMibPerSecond(leaderDir);
        report.printf(
                Locale.ROOT,
                "catch-up C=%d behind_mib=%.0f entries=%d seconds=%.2f mib_s=%.0f segments_read_mib_s=%.0f ratio=%.2f"
                        + " p99_us_before=%d p99_us_during=%d ops_s_before=%d ops_s_during=%d errors=%d"
                        + " stopped=%s leader=%s elections=%d%n",
                clients,
                behindBytes / 1048576.0,
                written,
                seconds,
                behindBytes / 1048576.0 / seconds,
                sequential,
                behindBytes / 1048576.0 / seconds / sequential,
                ClusterBench.field(baseline, "p99_us"),
                ClusterBench.field(during, "p99_us"),
                ClusterBench.field(baseline, "ops_s"),
                ClusterBench.field(during, "ops_s"),
                ClusterBench.field(baseline, "errors") + ClusterBench.field(during, "errors"),
                id,
                leader.id,
                elections);
    }

    /**
     * The restart benchmark ({@code --restart MIB}): the leader writes MIB MiB of log to a group that never snapshots,
     * then a follower restarts and is timed until its node is up (the journal recovered, the log streamed into the
     * member) and until it has answered a linearizable read (its state machine re-applied the whole log, read back
     * from its own journal as a stream).
     */
    static void restart(
            List<ClusterBench.Member> members,
            ClusterBench.Member leader,
            Path runDir,
            String peers,
            int mib,
            PrintStream report)
            throws IOException {
        // The record bytes the leader's journal wrote, not its files' growth: a group that snapshots compacts its log
        // and reuses segments (-Decho.bench.snapshotEvery), so its files stop growing.
        long before = ClusterBench.field(leader.ask("WRITTEN", "WRITTEN"), "bytes");
        long written = 0;
        long bytes = 0;
        while (bytes < (long) mib << 20) {
            written += ClusterBench.field(leader.ask("COUNT 256 200000", "RESULT"), "ops");
            bytes = ClusterBench.field(leader.ask("WRITTEN", "WRITTEN"), "bytes") - before;
        }
        int followerIndex = members.get(0) == leader ? 1 : 0;
        String id = members.get(followerIndex).id;
        members.get(followerIndex).close();
        long journalBytes = segmentBytes(runDir.resolve(id));
        long start = System.nanoTime();
        ClusterBench.Member restarted = ClusterBench.start(id, runDir.resolve(id), peers, false);
        members.set(followerIndex, restarted);
        restarted.await("READY");
        double up = (System.nanoTime() - start) / 1e9;
        restarted.ask("READ", "READ");
        double ready = (System.nanoTime() - start) / 1e9;
        long heap = Long.parseLong(restarted.ask("HEAP", "HEAP").substring("HEAP used=".length()));
        report.printf(
                Locale.ROOT,
                "restart written_mib=%.0f journal_mib=%.0f entries=%d up_s=%.2f read_answered_s=%.2f"
                        + " heap_mib_after=%.1f%n",
                bytes / 1048576.0,
                journalBytes / 1048576.0,
                written,
                up,
                ready,
                heap / 1048576.0);
    }

    /** The bytes of a member's journal segments, as their files' sizes (preallocated: whole segments). */
    private static long segmentBytes(Path memberDir) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(memberDir, "segment-*")) {
            for (Path file : files) {
                total += Files.size(file);
            }
        }
        return total;
    }

    /** Reads every segment of the member once, in 1 MiB reads, and returns the rate. */
    private static double sequentialReadMibPerSecond(Path memberDir) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long bytes = 0;
        long start = System.nanoTime();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(memberDir, "segment-*")) {
            for (Path file : files) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    for (int read = channel.read(buffer); read >= 0; read = channel.read(buffer)) {
                        bytes += read;
                        buffer.clear();
                    }
                }
            }
        }
        return bytes / 1048576.0 / ((System.nanoTime() - start) / 1e9);
    }
}
