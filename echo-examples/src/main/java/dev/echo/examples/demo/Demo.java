package dev.echo.examples.demo;

import dev.echo.journal.SnapshotFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/echo-demo}: a guided tour of Echo on a local three-member echo-kv cluster of separate processes. It
 * writes with a running count, kills the leader (a new one is elected, nothing acknowledged is lost), kills a second
 * member (writes pause with NOQUORUM, then resume when one returns), restarts the last member and watches it catch
 * up from the journal and the leader, runs dynamic voting and a machine replacement, then reads every acknowledged
 * write back from every member. Last, it loses every machine and starts a new cluster from a snapshot file of one.
 * It cleans up its processes and files however it ends.
 *
 * <p>Single-threaded.
 */
public final class Demo {
    private final PrintStream out = System.out;
    private final KvCluster cluster;
    private final Map<String, String> acknowledged = new LinkedHashMap<>();
    private int next;
    /** The connection the read-back uses, and the member it reaches. */
    private RespClient reader;

    private String readerId;

    private Demo(KvCluster cluster) {
        this.cluster = cluster;
    }

    /** Runs the tour; exit status 0 if every check held. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.out.println("Usage: bin/echo-demo");
            System.out.println();
            System.out.println("Starts a local three-member Echo cluster (echo-kv processes on 127.0.0.1, data in a");
            System.out.println("temporary directory), narrates a tour of failures and recovery, verifies that every");
            System.out.println(
                    "acknowledged write survived on every member, starts a new cluster from a snapshot file");
            System.out.println("of the old one, and cleans up. Takes about a minute and a half.");
            return;
        }
        Path root = Files.createTempDirectory("echo-demo");
        boolean ok;
        try (KvCluster cluster = new KvCluster(root, 3, KvCluster.freeBasePort())) {
            cluster.memberArguments(id -> List.of("--snapshot-every", "500")); // snapshot files for the last stage
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (String id : cluster.ids()) {
                    cluster.kill(id);
                }
            }));
            ok = new Demo(cluster).tour();
        }
        System.exit(ok ? 0 : 1);
    }

    private boolean tour() throws Exception {
        step("Starting three members n1, n2, n3 as separate processes (each with its own journal)");
        if (!cluster.startAll(60_000)) {
            return fail("the members did not start; see their logs in " + cluster.root());
        }
        String leader = awaitLeader();
        say("leader elected: " + leader + " (term " + cluster.info(leader).get("term") + ")");

        step("Writing 300 keys through every member (followers forward to the leader)");
        write(300, cluster.ids());

        step("Killing the leader " + leader + " with SIGKILL");
        int writtenBeforeKill = acknowledged.size();
        long killedAt = System.nanoTime();
        cluster.kill(leader);
        List<String> survivors = running();
        String successor = awaitLeader();
        say("new leader: " + successor + " after " + (System.nanoTime() - killedAt) / 1_000_000 + " ms (term "
                + cluster.info(successor).get("term") + ")");
        write(200, survivors);

        String second = survivors.stream()
                .filter(id -> !id.equals(successor))
                .findFirst()
                .orElseThrow();
        step("Killing a second member, " + second + ": the last one, " + successor + ", has no quorum");
        cluster.kill(second);
        String noQuorum = awaitNoQuorum(successor);
        say("a write at " + successor + " is refused, nothing applied: -" + noQuorum);

        step("Restarting " + second + ": it recovers from its journal and the quorum returns");
        cluster.start(second);
        cluster.awaitUp(second, 60_000);
        String regained = awaitLeader();
        say("quorum regained; leader " + regained);
        write(200, running());

        step("Restarting " + leader + ", the first leader, which missed " + (acknowledged.size() - writtenBeforeKill)
                + " writes: it resynchronises");
        cluster.start(leader);
        cluster.awaitUp(leader, 60_000);
        awaitCaughtUp(leader);

        if (!dynamicVoting() || !replaceMachine()) {
            return false;
        }

        step("Verifying: every acknowledged write, read back from every member (linearizable GET)");
        int checked = 0;
        for (String id : cluster.ids()) {
            for (Map.Entry<String, String> write : acknowledged.entrySet()) {
                Object value = readBack(id, write.getKey());
                if (!write.getValue().equals(value)) {
                    return fail(id + " answers " + value + " for " + write.getKey() + ", acknowledged as "
                            + write.getValue());
                }
                checked++;
            }
            say(id + ": all " + acknowledged.size() + " acknowledged writes present");
        }
        closeReader();
        if (!restoreFromSnapshot()) {
            return false;
        }
        step("Summary");
        say(acknowledged.size() + " writes acknowledged, " + checked + " reads verified on "
                + String.join(", ", cluster.ids()));
        say("survived: leader SIGKILL, loss and return of the quorum, restart and resynchronisation,");
        say("a restart of every member, dynamic voting down to one member and back to three,");
        say("a dead machine replaced by a new one in the field, and the loss of every machine, after which a");
        say("snapshot file started a new cluster");
        return true;
    }

    /**
     * Dynamic linear voting (PROTOCOL.md §7): the group shrinks around failed members, one joint change at a time,
     * and keeps working where a static majority would stop; returning members are re-admitted at their rank.
     */
    private boolean dynamicVoting() throws Exception {
        step("Restarting every member with dynamic voting on (--suspect-timeout 2000: a voter silent for 2 s is "
                + "suspended)");
        cluster.suspectTimeout(2_000);
        for (String id : cluster.ids()) {
            cluster.kill(id);
        }
        for (String id : cluster.ids()) {
            cluster.start(id);
        }
        for (String id : cluster.ids()) {
            if (!cluster.awaitUp(id, 60_000)) {
                return fail(id + " did not restart");
            }
        }
        say("leader after the restart of every member: " + awaitLeader() + " (no operator needed)");
        String top = cluster.ids().get(0);
        String middle = cluster.ids().get(1);
        String last = cluster.ids().get(2);

        step("Killing " + top + ", the top-ranked voter: after 2 s the others suspend it in one joint change");
        cluster.kill(top);
        say("view at " + middle + ": " + awaitVoters(middle, 2) + "  (" + top + " suspended; " + middle + " is top)");
        write(100, List.of(middle, last));

        step("Killing " + last + ": " + middle + " alone holds half the weight and the top rank, a quorum;"
                + " a static majority of three would stop here");
        cluster.kill(last);
        write(100, List.of(middle));
        say("view at " + middle + ": " + awaitVoters(middle, 1));

        step("Restarting " + top + " and " + last + ": they catch up and are re-admitted at their weight and rank");
        cluster.start(top);
        cluster.start(last);
        cluster.awaitUp(top, 60_000);
        cluster.awaitUp(last, 60_000);
        say("view at " + middle + ": " + awaitVoters(middle, 3));
        write(100, cluster.ids());
        return true;
    }

    /**
     * Disaster recovery (docs/operations.md, "Losing machines, and disaster recovery"): every machine is lost; the
     * newest snapshot file copied off one of them starts a new one-member cluster with {@code --restore}. It holds
     * exactly the acknowledged writes the snapshot covers, the first ones in order, and takes new writes.
     */
    private boolean restoreFromSnapshot() throws Exception {
        String source = running().get(0);
        Path store = cluster.root().resolve(source).resolve("snapshots").resolve("kv");
        Optional<SnapshotFile> newest = SnapshotFile.newest(store);
        if (newest.isEmpty()) {
            return fail(source + " kept no snapshot in " + store);
        }
        Path backups = Files.createTempDirectory("echo-demo-backup");
        Path saved = Files.copy(
                newest.get().path(), backups.resolve(newest.get().path().getFileName()));
        step("Disaster: every machine is lost for good. " + saved.getFileName() + " (index "
                + newest.get().index() + "), copied off " + source
                + " before, starts a new one-member cluster with --restore");
        for (String id : cluster.ids()) {
            cluster.kill(id);
        }
        KvCluster restored = new KvCluster(backups.resolve("cluster"), 1, KvCluster.freeBasePort());
        Thread cleanUp = new Thread(() -> restored.ids().forEach(restored::kill)); // if the demo is interrupted
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try (restored) {
            restored.memberArguments(id -> List.of("--restore", saved.toString()));
            if (!restored.startAll(60_000)) {
                return fail("the restored member did not start; see " + restored.root());
            }
            String member = awaitLeader(restored); // a group of one elects itself
            try (RespClient client = restored.client(member, 5_000)) {
                // The writes went one after another, so the snapshot holds a prefix of them: every write up to a
                // point, each with its value, and none after it.
                int present = 0;
                int after = 0;
                for (Map.Entry<String, String> write : acknowledged.entrySet()) {
                    Object value = client.call("GET", write.getKey());
                    if (value != null && after > 0) {
                        return fail(member + " holds " + write.getKey() + " but not a write acknowledged before it");
                    } else if (value == null) {
                        after++;
                    } else if (!write.getValue().equals(value)) {
                        return fail(member + " answers " + value + " for " + write.getKey());
                    } else {
                        present++;
                    }
                }
                say("the new cluster's " + member + " holds the first " + present + " of the " + acknowledged.size()
                        + " acknowledged writes, each with its value: everything up to the snapshot, nothing after");
                Object reply = client.call("SET", "demo:after-restore", "yes");
                if (!"OK".equals(reply) || present == 0) {
                    return fail("the restored member answered " + reply + " to a write, holding " + present);
                }
                say("and it takes new writes: SET demo:after-restore -> " + reply);
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
            Files.deleteIfExists(saved);
            Files.deleteIfExists(backups);
        }
        return true;
    }

    /**
     * Replacing a machine in the field (PROTOCOL.md §8): a member dies for good; a brand-new machine (new id, new
     * port, empty data directory), which no member was started knowing, joins from the seeds, catches up, and takes
     * the dead member's rank and weight through one ECHO.REPLACE, while writes continue.
     */
    private boolean replaceMachine() throws Exception {
        String dead = cluster.ids().get(2);
        String asker = cluster.ids().get(1);
        String fresh = "n" + (cluster.ids().size() + 1);
        step("Machine " + dead + " dies for good; a brand-new machine " + fresh
                + " (new id, new port, empty disk) joins from the seeds");
        cluster.retire(dead);
        write(100, running());
        if (!cluster.startJoining(fresh, 60_000)) {
            return fail(fresh + " did not start; see " + cluster.root().resolve(fresh + ".log"));
        }
        say(fresh + " asked to join; " + asker + " sees it as " + awaitMemberLine(asker, fresh, "learner")
                + "  (its address came with its join)");
        write(100, running());

        step("ECHO.REPLACE " + dead + " " + fresh + " at " + asker + ": once " + fresh + " has caught up, it takes "
                + dead + "'s rank and weight in one joint change");
        List<String> view = replace(asker, dead, fresh);
        view.forEach(line -> say("  " + line));
        write(100, running());
        say(fresh + " is " + awaitMemberLine(fresh, fresh, "voter"));
        return true;
    }

    /** ECHO.REPLACE at {@code asker}, retried while another change (dynamic voting's) is in progress. */
    private List<String> replace(String asker, String dead, String fresh) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        Object reply = null;
        while (System.currentTimeMillis() < deadline) {
            try (RespClient client = cluster.client(asker, 40_000)) {
                reply = client.call("ECHO.REPLACE", dead, fresh, "127.0.0.1:" + cluster.peerPort(fresh));
            }
            if (reply instanceof List<?> lines) {
                return lines.stream().map(String::valueOf).toList();
            }
            if (!(reply instanceof RespClient.RespError error)
                    || !(error.prefix().equals("CHANGEINPROGRESS")
                            || error.prefix().equals("NOQUORUM"))) {
                break;
            }
            Thread.sleep(200); // dynamic voting is suspending the dead member: one change at a time
        }
        throw new IllegalStateException("ECHO.REPLACE failed: " + reply);
    }

    /** Waits until {@code id}'s INFO shows {@code member} in {@code role}; returns that line of INFO. */
    private String awaitMemberLine(String id, String member, String role) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        String line = "";
        while (System.currentTimeMillis() < deadline) {
            line = cluster.info(id).getOrDefault("view_member_" + member, "");
            if (line.startsWith(role + ",")) {
                return line;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(id + " never showed " + member + " as " + role + "; last " + line);
    }

    /**
     * A linearizable GET of {@code key} at {@code id}. {@code NOQUORUM} and {@code OVERLOADED} say the read was
     * certainly not served (on a loaded machine a member may briefly lose its leader), and a timed-out connection
     * says nothing: the documented contract is to retry, so this does for up to 60 s, saying so once. Only an answer
     * is returned; the caller compares it with what was acknowledged.
     */
    private Object readBack(String id, String key) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        Object last = null;
        boolean told = false;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (reader == null || !id.equals(readerId)) {
                    closeReader();
                    reader = cluster.client(id, 10_000);
                    readerId = id;
                }
                Object answer = reader.call("GET", key);
                if (!(answer instanceof RespClient.RespError error)
                        || !(error.prefix().equals("NOQUORUM") || error.prefix().equals("OVERLOADED"))) {
                    return answer;
                }
                last = answer;
            } catch (IOException slow) {
                last = slow;
                closeReader();
            }
            if (!told) {
                say(id + " did not serve a read (" + last + "); retrying, as the contract allows, for up to 60 s");
                told = true;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(id + " served no read of " + key + " within 60 s; last answer " + last);
    }

    private void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // closing a broken connection: nothing to do
            }
            reader = null;
        }
    }

    /** Waits until {@code id}'s view has {@code count} voters; returns the view's voters as INFO shows them. */
    private String awaitVoters(String id, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        String voters = "";
        while (System.currentTimeMillis() < deadline) {
            voters = cluster.info(id).getOrDefault("view_voters", "");
            if (!voters.isEmpty() && voters.split(",").length == count) {
                return voters;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(id + " never showed " + count + " voters; last view " + voters);
    }

    private void write(int count, List<String> via) throws Exception {
        int done = 0;
        int attempt = 0;
        while (done < count) {
            String id = via.get(attempt++ % via.size());
            try (RespClient client = cluster.client(id, 5_000)) {
                while (done < count) {
                    String key = "demo:" + next;
                    String value = "value-" + next;
                    Object reply = client.call("SET", key, value);
                    if (!"OK".equals(reply)) {
                        Thread.sleep(100); // NOQUORUM while a new leader is elected: retry
                        break;
                    }
                    acknowledged.put(key, value);
                    next++;
                    done++;
                    if (done % 25 == 0 || done == count) {
                        out.print("\r    writes acknowledged: " + acknowledged.size() + "   ");
                        out.flush();
                    }
                }
            } catch (IOException down) {
                Thread.sleep(100); // that member is down or restarting: try the next
            }
        }
        out.println();
    }

    private String awaitNoQuorum(String id) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        Object last = null;
        while (System.currentTimeMillis() < deadline) {
            try (RespClient client = cluster.client(id, 3_000)) {
                last = client.call("SET", "demo:paused", "x");
                if (last instanceof RespClient.RespError error && error.prefix().equals("NOQUORUM")) {
                    return error.message();
                }
            } catch (IOException slow) {
                last = slow; // a write the survivor accepted before it noticed: its outcome waits for the quorum
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                id + " never reported NOQUORUM; last answer " + last + ", status " + cluster.info(id));
    }

    private void awaitCaughtUp(String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        long target = 0;
        for (String other : running()) {
            String commit = cluster.info(other).get("commit_index");
            target = Math.max(target, commit == null ? 0 : Long.parseLong(commit));
        }
        while (System.currentTimeMillis() < deadline) {
            String applied = cluster.info(id).get("last_applied");
            long value = applied == null ? 0 : Long.parseLong(applied);
            out.print("\r    " + id + " applied " + value + " of " + target + "   ");
            out.flush();
            if (value >= target) {
                out.println();
                return;
            }
            Thread.sleep(100);
        }
        out.println();
    }

    private String awaitLeader() throws InterruptedException {
        return awaitLeader(cluster);
    }

    private static String awaitLeader(KvCluster cluster) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String leader = cluster.leader();
            if (leader != null) {
                return leader;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no leader within 60 s");
    }

    private List<String> running() {
        return cluster.ids().stream().filter(cluster::isRunning).toList();
    }

    private void step(String text) {
        out.println();
        out.println("== " + text);
    }

    private void say(String text) {
        out.println("    " + text);
    }

    private boolean fail(String text) {
        out.println("    FAILED: " + text);
        return false;
    }
}
