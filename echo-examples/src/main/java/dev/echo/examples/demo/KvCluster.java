package dev.echo.examples.demo;

import dev.echo.transport.netty.ClusterKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A local echo-kv cluster of separate JVM processes on loopback, each with its own data directory, for the demo and
 * the multi-process tests: start, kill (SIGKILL), restart, and clean up by process handle and directory.
 *
 * <p>One controlling thread starts, kills and adds machines; {@link #ids()}, {@link #client} and {@link #isRunning} may
 * be called from other threads too.
 */
public final class KvCluster implements AutoCloseable {
    private long suspectTimeoutMillis;
    private final Path root;
    /** Every machine of the cluster, original or added, until retired. */
    private final List<String> ids;
    /** The members the cluster was started with, in rank order: every original's --members, a joiner's --join. */
    private final List<String> initial;
    /** Machines that joined a running cluster: restarted with --join. */
    private final List<String> joiners = new ArrayList<>();

    private final Map<String, Integer> peerPorts = new LinkedHashMap<>();
    private final Map<String, Integer> clientPorts = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    /** More command-line arguments for a machine, by id: a transport other than the default, for instance. */
    private Function<String, List<String>> memberArguments = id -> List.of();
    /** {@code --discovery GROUP:PORT --discovery-interface IF} for every machine, or empty: joiners get --join. */
    private List<String> discovery = List.of();

    /**
     * Prepares a cluster of {@code size} members {@code n1..nN} under {@code root}, with peer ports from
     * {@code basePort} and client ports from {@code basePort + 100}.
     */
    public KvCluster(Path root, int size, int basePort) {
        this.root = root;
        this.ids = new CopyOnWriteArrayList<>(); // read by client threads while machines are added and retired
        for (int i = 1; i <= size; i++) {
            ids.add("n" + i);
        }
        initial = List.copyOf(ids);
        assignPorts(basePort);
    }

    private void assignPorts(int basePort) {
        for (int i = 1; i <= ids.size(); i++) {
            peerPorts.put(ids.get(i - 1), basePort + i);
            clientPorts.put(ids.get(i - 1), basePort + 100 + i);
        }
    }

    /**
     * Starts every member of a new cluster and waits until each answers PING. The ports were found free, but another
     * process may take one before a member binds it; that member then exits at once. The cluster is then started
     * again from scratch on other ports (at most five times), so a port race is never a failure.
     *
     * @return whether every member is up within {@code timeoutMillis} of its last start
     */
    public boolean startAll(long timeoutMillis) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            for (String id : ids) {
                start(id);
            }
            boolean up = true;
            for (String id : ids) {
                up &= awaitUp(id, timeoutMillis);
            }
            boolean someExited = ids.stream().anyMatch(id -> !isRunning(id));
            if (up && !someExited) {
                return true;
            }
            if (!someExited || attempt == 5) {
                return false;
            }
            for (String id : ids) { // a port was taken: nothing was written yet, start over elsewhere
                kill(id);
                deleteRecursively(root.resolve(id));
            }
            assignPorts(freeBasePort());
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** The directory holding every member's data, log and the cluster key. */
    public Path root() {
        return root;
    }

    /** The machines' ids: the original members in rank order, then the machines added since. */
    public List<String> ids() {
        return List.copyOf(ids);
    }

    /** The peer port of {@code id}. */
    public int peerPort(String id) {
        return peerPorts.get(id);
    }

    /**
     * Starts a brand-new machine {@code id} (new ports, empty data directory) that joins the running cluster from the
     * original members as seeds (PROTOCOL.md §8), and waits until it answers PING. A port taken between the check and
     * the bind makes the process exit at once; it is then started again on other ports (at most five times).
     *
     * @return whether it is up within {@code timeoutMillis}
     */
    public boolean startJoining(String id, long timeoutMillis) throws IOException, InterruptedException {
        ids.add(id);
        joiners.add(id);
        for (int attempt = 1; attempt <= 5; attempt++) {
            peerPorts.put(id, freePort());
            clientPorts.put(id, freePort());
            start(id);
            if (awaitUp(id, timeoutMillis)) {
                return true;
            }
            if (isRunning(id)) {
                return false; // running but silent: not a port race
            }
            deleteRecursively(root.resolve(id));
        }
        return false;
    }

    /** Kills {@code id} for good: its machine is gone, and it is no longer one of {@link #ids()}. */
    public void retire(String id) {
        kill(id);
        ids.remove(id);
    }

    /** The RESP port of {@code id}. */
    public int clientPort(String id) {
        return clientPorts.get(id);
    }

    /** Whether {@code id}'s process is running. */
    public boolean isRunning(String id) {
        Process process = processes.get(id);
        return process != null && process.isAlive();
    }

    /** Dynamic voting for members started from now on: suspect a silent voter after this long (0: static). */
    public void suspectTimeout(long millis) {
        suspectTimeoutMillis = millis;
    }

    /**
     * More arguments for every machine started from now on, computed from its id: e.g. {@code --transport tls} with
     * that machine's key store, so the same cluster runs over TLS.
     */
    public void memberArguments(Function<String, List<String>> arguments) {
        memberArguments = arguments;
    }

    /**
     * LAN discovery (PROTOCOL.md §8) for every machine started from now on: members answer on {@code group} via
     * {@code networkInterface}, and a machine that joins finds its seeds there instead of being given them.
     */
    public void discovery(String group, String networkInterface) {
        discovery = List.of("--discovery", group, "--discovery-interface", networkInterface);
    }

    /**
     * The cluster's key file, generated on first use with 32 random bytes and readable by the owner only: the demo
     * and the tests need no setup, yet the members authenticate each other as in production (PROTOCOL.md §10).
     */
    public Path keyFile() throws IOException {
        Path file = root.resolve("cluster.key");
        if (!Files.exists(file)) {
            Files.createDirectories(root);
            Files.write(file, ClusterKey.generate().toBytes(), StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the temporary directory is private to this user anyway
            }
        }
        return file;
    }

    /** Starts {@code id}'s process (again, after a kill: it recovers from its data directory). */
    public void start(String id) throws IOException {
        Path data = root.resolve(id);
        Files.createDirectories(data);
        // The originals are told every member's id; a joiner knows its seeds only by address, or finds them on the LAN
        // (PROTOCOL.md §8).
        boolean joining = joiners.contains(id);
        StringBuilder members = new StringBuilder();
        for (String member : initial) {
            members.append(members.length() == 0 ? "" : ",")
                    .append(joining ? "" : member + "=")
                    .append("127.0.0.1:")
                    .append(peerPorts.get(member));
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.echo.examples.kv.EchoKv",
                "--id",
                id,
                "--data",
                data.toString(),
                "--client",
                "127.0.0.1:" + clientPorts.get(id),
                "--key-file",
                keyFile().toString(),
                // Static membership unless asked (suspectTimeout): the tour and KvClusterIT show the quorum lost when
                // two of three are down; dynamic voting would shrink the group instead after a slow second failure.
                "--suspect-timeout",
                Long.toString(suspectTimeoutMillis)));
        if (!joining) {
            command.addAll(List.of("--members", members.toString()));
        } else if (discovery.isEmpty()) {
            command.addAll(List.of("--join", members.toString()));
        }
        if (joining) {
            command.addAll(List.of("--advertise", "127.0.0.1:" + peerPorts.get(id)));
        }
        command.addAll(discovery);
        command.addAll(memberArguments.apply(id));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        root.resolve(id + ".log").toFile()))
                .start();
        processes.put(id, process);
    }

    /** Kills {@code id}'s process with SIGKILL: no shutdown hook, no flush; the journal is all that survives. */
    public void kill(String id) {
        Process process = processes.get(id);
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A client connection to {@code id}, or an exception if it does not answer. */
    public RespClient client(String id, int timeoutMillis) throws IOException {
        return new RespClient("127.0.0.1", clientPorts.get(id), timeoutMillis);
    }

    /** Waits until {@code id} answers PING, up to {@code timeoutMillis}. */
    public boolean awaitUp(String id, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline && isRunning(id)) {
            try (RespClient client = client(id, 1000)) {
                if ("PONG".equals(client.call("PING"))) {
                    return true;
                }
            } catch (IOException notYet) {
                Thread.sleep(50); // the process is still starting
            }
        }
        return false;
    }

    /** {@code INFO} of {@code id} as name → value, empty if it does not answer. */
    public Map<String, String> info(String id) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (RespClient client = client(id, 2000)) {
            Object reply = client.call("INFO");
            if (reply instanceof String text) {
                for (String line : text.split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        fields.put(line.substring(0, colon), line.substring(colon + 1));
                    }
                }
            }
        } catch (IOException down) {
            // an empty map says it did not answer
        }
        return fields;
    }

    /** The member that reports itself leader, or {@code null}. */
    public String leader() {
        for (String id : ids) {
            if (isRunning(id) && "leader".equals(info(id).get("role"))) {
                return id;
            }
        }
        return null;
    }

    /** Kills every process, retired ones included, and deletes the data directories. */
    @Override
    public void close() throws IOException {
        for (String id : processes.keySet()) {
            kill(id);
        }
        if (Files.exists(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * Ports are drawn from {@code BELOW_EPHEMERAL} up to Linux's ephemeral range ({@code EPHEMERAL_START} and up),
     * where the kernel never puts the local end of a connection, the members' own links to each other included: only
     * an explicit bind can take one between the check and the member's bind (and then the member is started again).
     */
    private static final int BELOW_EPHEMERAL = 20_000;

    private static final int EPHEMERAL_START = 32_768;

    /** A base port whose peer ports (+1..+3) and client ports (+101..+103) are free now on loopback. */
    public static int freeBasePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = BELOW_EPHEMERAL + ThreadLocalRandom.current().nextInt(EPHEMERAL_START - BELOW_EPHEMERAL - 200);
            if (free(base + 1)
                    && free(base + 2)
                    && free(base + 3)
                    && free(base + 101)
                    && free(base + 102)
                    && free(base + 103)) {
                return base;
            }
        }
        throw new IOException("no free ports found for the demo cluster");
    }

    /** A loopback port free now, below the ephemeral range (see {@code BELOW_EPHEMERAL}). */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = BELOW_EPHEMERAL + ThreadLocalRandom.current().nextInt(EPHEMERAL_START - BELOW_EPHEMERAL);
            if (free(port)) {
                return port;
            }
        }
        throw new IOException("no free port found for a new machine");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.isBound();
        } catch (IOException inUse) {
            return false;
        }
    }
}
