package dev.echo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.examples.demo.KvCluster;
import dev.echo.examples.demo.RespClient;
import dev.echo.examples.snapshot.StoredSnapshots;
import dev.echo.testkit.tls.TestPki;
import dev.echo.testkit.transport.LoopbackMulticast;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three echo-kv processes on loopback under a concurrent workload: the leader is killed with SIGKILL, later a follower
 * too (the survivor pauses writes with NOQUORUM), both come back from their journals. No acknowledged write is lost,
 * no increment is applied twice, and every member ends with the same answers. Also: real {@code redis-cli} works
 * against it when installed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KvClusterIT {
    private static final int CLIENTS = 4;

    @TempDir
    Path directory;

    private KvCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void noAcknowledgedWriteIsLostOrAppliedTwiceThroughKillsOfTheLeaderAndAFollower() throws Exception {
        cluster = new KvCluster(directory.resolve("cluster"), 3, KvCluster.freeBasePort());
        assertTrue(cluster.startAll(60_000), "the members did not start");
        Workload workload = new Workload();
        List<Thread> clients = startClients(workload);
        awaitProgress(() -> workload.acknowledged.get(), 100, "writes before the first kill");
        String leader = awaitLeader();
        cluster.kill(leader);
        awaitProgress(() -> workload.acknowledged.get(), 100, "writes under the new leader");
        String follower =
                cluster.ids().stream().filter(cluster::isRunning).findFirst().orElseThrow();
        cluster.kill(follower);
        // Until clients blocked on writes the lone survivor cannot commit have given up and been told NOQUORUM.
        awaitProgress(() -> workload.noQuorum.get(), 20, "NOQUORUM answers from the lone survivor");
        cluster.start(leader);
        cluster.start(follower);
        assertTrue(cluster.awaitUp(leader, 60_000) && cluster.awaitUp(follower, 60_000));
        awaitProgress(() -> workload.acknowledged.get(), 100, "writes after both returned");
        workload.stop.set(true);
        for (Thread thread : clients) {
            thread.join(30_000);
        }
        assertTrue(workload.acknowledged.get() > 100, "too few writes acknowledged: " + workload.acknowledged);
        assertTrue(workload.noQuorum.get() > 0, "the lone survivor never answered NOQUORUM");
        for (String id : cluster.ids()) {
            verify(id, workload);
        }
    }

    /**
     * Membership in the field (PROTOCOL.md §8), across processes over authenticated TCP, over TLS (where the new
     * machine is known to the cluster only by its certificate from the cluster's authority) and over UDP: a member dies
     * for good; a brand-new machine joins from seeds known only by address and replaces it while clients write; a
     * second original member dies; the group keeps committing, and the new machine answers every acknowledged write.
     * With {@code discovery}, over TCP, the new machine is given no seed at all: it finds the voters by multicast on
     * the loopback interface.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls", "udp", "discovery"})
    void aDeadMachineIsReplacedByANewOneWhileClientsWrite(String variant) throws Exception {
        cluster = new KvCluster(directory.resolve("replace"), 3, KvCluster.freeBasePort());
        if (variant.equals("discovery")) {
            Assumptions.assumeTrue(
                    LoopbackMulticast.works(),
                    "the loopback interface carries no multicast here: discovery not tested");
            cluster.discovery(
                    "239.255.77." + ThreadLocalRandom.current().nextInt(1, 255) + ":" + freeUdpPort(),
                    LoopbackMulticast.INTERFACE);
        }
        String transport = variant.equals("discovery") ? "tcp" : variant;
        if (transport.equals("udp")) { // the cluster key authenticates every datagram; the seeds answer under it
            cluster.memberArguments(id -> List.of("--transport", "udp"));
        }
        if (transport.equals("tls")) {
            TestPki pki = TestPki.get();
            cluster.memberArguments(id -> List.of(
                    "--transport",
                    "tls",
                    "--tls-keystore",
                    pki.keyStore(id).toString(),
                    "--tls-truststore",
                    pki.trustStore().toString(),
                    "--tls-password",
                    new String(pki.password())));
        }
        assertTrue(cluster.startAll(60_000), "the members did not start");
        Workload workload = new Workload();
        List<Thread> clients = startClients(workload);
        awaitProgress(() -> workload.acknowledged.get(), 100, "writes before the first death");
        cluster.retire("n3");
        assertTrue(cluster.startJoining("n4", 60_000), "the new machine did not start");
        String address = "127.0.0.1:" + cluster.peerPort("n4");
        long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!isLearnerAt(cluster.info("n1").getOrDefault("view_member_n4", ""), address)) {
            assertTrue(System.nanoTime() < joinDeadline, "n4 was not added from its own request to the seeds");
            Thread.sleep(50); // polling n1's view
        }
        try (RespClient admin = cluster.client("n1", 60_000)) {
            Object refused = admin.call("ECHO.ADDLEARNER", "n4", "127.0.0.1:1");
            assertTrue(
                    refused instanceof RespClient.RespError error
                            && error.prefix().equals("INVALID"),
                    "an id in use at another address is refused: " + refused);
            Object view = admin.call("ECHO.REPLACE", "n3", "n4", address);
            assertTrue(view instanceof List<?>, "replaced: " + view);
            assertEquals(
                    List.of("n1 voter weight=1 rank=0", "n2 voter weight=1 rank=1", "n4 voter weight=1 rank=2"),
                    ((List<?>) view)
                            .stream()
                                    .map(line -> String.valueOf(line).replaceAll(" peer=.*", ""))
                                    .toList());
        }
        awaitProgress(() -> workload.acknowledged.get(), 100, "writes after the replacement");
        cluster.retire("n2");
        awaitProgress(() -> workload.acknowledged.get(), 100, "writes with n1 and n4 only");
        workload.stop.set(true);
        for (Thread thread : clients) {
            thread.join(30_000);
        }
        verify("n4", workload);
        verify("n1", workload);
        assertTrue(cluster.info("n4").get("view_member_n4").startsWith("voter,weight=1,rank=2,peer=" + address));
        assertEquals(transport, cluster.info("n4").get("transport"), "the new machine's peer transport");
        if (variant.equals("discovery")) {
            assertTrue(
                    cluster.info("n1").get("discovery").matches(".*,answered=[1-9][0-9]*"),
                    "n1 answered the new machine's questions: " + cluster.info("n1"));
        }
    }

    /**
     * Disaster recovery (docs/operations.md, "Losing machines, and disaster recovery"): a cluster is lost for good;
     * one of its snapshot files, copied off a machine, starts a new one-member cluster with {@code --restore}. The
     * new member answers exactly a prefix of the old cluster's sequential writes, at least what its first snapshot
     * covered, and takes new writes.
     */
    @Test
    void aClusterLostForGoodStartsAgainFromASnapshotFile() throws Exception {
        cluster = new KvCluster(directory.resolve("old"), 3, KvCluster.freeBasePort());
        cluster.memberArguments(id -> List.of("--snapshot-every", "50"));
        assertTrue(cluster.startAll(60_000), "the members did not start");
        int writes = 300;
        try (RespClient client = cluster.client(awaitLeader(), 5000)) {
            for (int i = 0; i < writes; i++) {
                assertEquals("OK", client.call("SET", "k" + i, "v" + i));
            }
        }
        Path snapshot = StoredSnapshots.awaitNewest(
                cluster.root().resolve("n1").resolve("snapshots").resolve("kv"));
        Path saved = Files.copy(snapshot, directory.resolve("saved.snap")); // off the machine, before it is lost
        cluster.close();

        cluster = new KvCluster(directory.resolve("new"), 1, KvCluster.freeBasePort());
        cluster.memberArguments(id -> List.of("--restore", saved.toString()));
        assertTrue(cluster.startAll(60_000), "the restored member did not start");
        awaitLeader();
        try (RespClient client = cluster.client("n1", 5000)) {
            int present = 0;
            while (present < writes && client.call("GET", "k" + present) != null) {
                present++;
            }
            assertTrue(present >= 50, "the file covers at least one snapshot interval: " + present);
            for (int i = 0; i < writes; i++) {
                assertEquals(i < present ? "v" + i : null, client.call("GET", "k" + i), "a prefix of the writes");
            }
            assertEquals("OK", client.call("SET", "after", "restore"));
            assertEquals("restore", client.call("GET", "after"));
        }
    }

    @Test
    void realRedisCliWorksAgainstIt() throws Exception {
        Assumptions.assumeTrue(onPath("redis-cli"), "redis-cli is not installed (.ci/run installs redis-tools)");
        cluster = new KvCluster(directory.resolve("cli"), 3, KvCluster.freeBasePort());
        assertTrue(cluster.startAll(60_000), "the members did not start");
        String leader = awaitLeader();
        int port = cluster.clientPort("n2");
        assertEquals("OK", redisCli(port, "SET", "greeting", "hello"));
        assertEquals("hello", redisCli(cluster.clientPort("n3"), "GET", "greeting"));
        assertEquals("1", redisCli(port, "INCR", "visits"));
        assertEquals("OK", redisCli(port, "SET", "greeting", "bye", "IFEQ", "hello"));
        assertTrue(redisCli(port, "INFO").contains("quorum:ok"));
        String atLeader = redisCli(cluster.clientPort(leader), "INFO");
        for (String id : cluster.ids()) {
            if (!id.equals(leader)) {
                assertTrue(atLeader.contains("member_" + id + ":reachable,last_heard_ms="), atLeader);
            }
        }
    }

    private static List<Thread> startClients(Workload workload) {
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> workload.run(client), "client-" + c);
            thread.start();
            clients.add(thread);
        }
        return clients;
    }

    /** Every acknowledged SET is present with its value, and each counter is within [acknowledged, attempted]. */
    private void verify(String id, Workload workload) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        AssertionError last = null;
        while (System.nanoTime() < deadline) {
            try (RespClient client = cluster.client(id, 5000)) {
                for (Map.Entry<String, String> write : workload.acknowledgedSets.entrySet()) {
                    assertEquals(write.getValue(), client.call("GET", write.getKey()), id + " lost " + write.getKey());
                }
                for (int c = 0; c < CLIENTS; c++) {
                    Object counter = client.call("GET", "counter:" + c);
                    long value = counter == null ? 0 : Long.parseLong((String) counter);
                    long acked = workload.increments[c].get();
                    long unknown = workload.unknownIncrements[c].get();
                    assertTrue(
                            value >= acked && value <= acked + unknown,
                            id + ": counter " + c + " = " + value + ", acknowledged " + acked + ", unknown " + unknown);
                }
                return;
            } catch (AssertionError | IOException notYet) {
                last = notYet instanceof AssertionError error ? error : new AssertionError(notYet);
                Thread.sleep(200); // a restarted member may still be catching up or electing
            }
        }
        throw last;
    }

    /** Waits until {@code counter} has grown by {@code by} (within 60 s): the workload's progress, not a fixed time. */
    /** A UDP port nobody on this machine uses now: the discovery group's, which the members then share. */
    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitProgress(java.util.function.LongSupplier counter, long by, String what)
            throws InterruptedException {
        long target = counter.getAsLong() + by;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.getAsLong() < target) {
            assertTrue(System.nanoTime() < deadline, "no progress within 60 s: " + what);
            Thread.sleep(50); // polling the workload's counter, which the client threads raise
        }
    }

    private String awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String leader = cluster.leader();
            if (leader != null) {
                return leader;
            }
            Thread.sleep(100);
        }
        assertNotNull(null, "no leader within 30 s");
        return null;
    }

    /** Clients writing unique keys and incrementing their own counter through any running member. */
    private final class Workload {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong noQuorum = new AtomicLong();
        final Map<String, String> acknowledgedSets = new ConcurrentHashMap<>();
        final AtomicLong[] increments = new AtomicLong[CLIENTS];
        final AtomicLong[] unknownIncrements = new AtomicLong[CLIENTS];

        Workload() {
            for (int c = 0; c < CLIENTS; c++) {
                increments[c] = new AtomicLong();
                unknownIncrements[c] = new AtomicLong();
            }
        }

        void run(int client) {
            int sequence = 0;
            while (!stop.get()) {
                List<String> machines = cluster.ids();
                String id = machines.get((client + sequence) % machines.size());
                sequence++;
                try (RespClient connection = cluster.client(id, 2000)) {
                    for (int i = 0; i < 20 && !stop.get(); i++) {
                        String key = "key:" + client + ":" + sequence + ":" + i;
                        Object set = connection.call("SET", key, "v" + i);
                        if ("OK".equals(set)) {
                            acknowledgedSets.put(key, "v" + i);
                            acknowledged.incrementAndGet();
                        } else {
                            count(set);
                        }
                        increment(connection, client);
                    }
                } catch (IOException memberDown) {
                    // The member died mid-request or is down: whatever was in flight has an unknown outcome.
                    unknownIncrements[client].incrementAndGet();
                    pause();
                }
            }
        }

        private void increment(RespClient connection, int client) throws IOException {
            unknownIncrements[client].incrementAndGet(); // until we know
            Object reply = connection.call("INCR", "counter:" + client);
            if (reply instanceof Long) {
                unknownIncrements[client].decrementAndGet();
                increments[client].incrementAndGet();
            } else if (reply instanceof RespClient.RespError error
                    && !error.prefix().equals("UNKNOWN")) {
                unknownIncrements[client].decrementAndGet(); // certainly not applied
                count(reply);
            }
        }

        private void count(Object reply) {
            if (reply instanceof RespClient.RespError error && error.prefix().equals("NOQUORUM")) {
                noQuorum.incrementAndGet();
                pause();
            }
        }

        private void pause() {
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Path.of(dir, program).toFile().canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static String redisCli(int port, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return output;
    }

    /** Whether an INFO member line ({@code learner,rank=R,peer=H:P,...}) shows a learner at {@code address}. */
    private static boolean isLearnerAt(String line, String address) {
        return line.startsWith("learner,") && line.contains(",peer=" + address);
    }
}
