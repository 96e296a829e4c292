package dev.echo.bench.e2e;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.Ordering;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.Tuning;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.Transport;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.metrics.micrometer.MicrometerMetrics;
import dev.echo.transport.netty.ClusterKey;
import dev.echo.transport.netty.NettyTcpTransport;
import dev.echo.transport.netty.NettyUdpTransport;
import dev.echo.transport.netty.TcpTransportOptions;
import dev.echo.transport.netty.UdpTransportOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One member of the end-to-end benchmark cluster, in its own JVM: an {@link EchoNode} with a file journal (fsync on)
 * and loopback TCP, hosting one group whose state machine puts 16-byte keys and 100-byte values into a HashMap. It
 * obeys one-line commands on stdin from {@link ClusterBench}: {@code ROLE} (prints LEADER or another role),
 * {@code TERM} (prints the group's current term), {@code RUN clients warmupSeconds seconds} (closed loop of submits at
 * this member; prints one RESULT line), {@code MCAST clients warmupSeconds seconds} (closed loop of 100-byte
 * multicasts at this member, each done when this member delivered it; its MEASURE lines carry its delivered count),
 * {@code DELIVERED} (prints how many multicasts this member delivered), {@code COUNT clients n} (closed loop until n
 * operations completed; prints one RESULT line), {@code HEAP} (prints the heap used after a full collection),
 * {@code APPLIED} (prints the index this member applied), {@code READ} (once the member hears a leader, a
 * linearizable read; prints when answered), {@code WRITTEN} (prints the record bytes its journal wrote),
 * {@code QUIT}.
 *
 * <p>Usage: {@code BenchMember id dataDir n1=host:port,n2=host:port,n3=host:port [multicast]}
 *
 * <p>{@code main} reads its commands on the main thread and blocks on each until it is done; the node runs its own threads.
 */
public final class BenchMember {
    static final int KEY_BYTES = 16;
    /** The value's size: 100 bytes, or {@code -Decho.bench.valueBytes=N} (the catch-up's bytes against its entries). */
    static final int VALUE_BYTES = Integer.getInteger("echo.bench.valueBytes", 100);

    static final int KEYS = 100_000;

    private BenchMember() {}

    /** The benchmark's state machine: a HashMap put per command. Loop thread only. */
    static final class MapMachine implements StateMachine {
        private static final byte[] OK = new byte[0];
        private Map<String, byte[]> map = new HashMap<>();
        private final boolean snapshots;

        /** {@code snapshots}: whether it takes snapshots (the benchmark's default group never does). */
        MapMachine(boolean snapshots) {
            this.snapshots = snapshots;
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            String key = new String(command, 0, KEY_BYTES, StandardCharsets.ISO_8859_1);
            byte[] value = new byte[command.length - KEY_BYTES];
            System.arraycopy(command, KEY_BYTES, value, 0, value.length);
            map.put(key, value);
            return OK;
        }

        @Override
        public byte[] query(byte[] query) {
            return new byte[] {(byte) map.size()};
        }

        /** A shallow copy, on the loop thread: the values are never changed in place, only replaced. */
        @Override
        public Snapshot snapshot() {
            if (!snapshots) {
                return null;
            }
            Map<String, byte[]> captured = new HashMap<>(map);
            return out -> {
                DataOutputStream data = new DataOutputStream(out);
                data.writeInt(captured.size());
                for (Map.Entry<String, byte[]> entry : captured.entrySet()) {
                    data.writeUTF(entry.getKey());
                    data.writeInt(entry.getValue().length);
                    data.write(entry.getValue());
                }
                data.flush();
            };
        }

        @Override
        public void restore(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            int size = data.readInt();
            Map<String, byte[]> restored = new HashMap<>(Math.max(16, size * 2));
            for (int i = 0; i < size; i++) {
                String key = data.readUTF();
                byte[] value = new byte[data.readInt()];
                data.readFully(value);
                restored.put(key, value);
            }
            map = restored;
        }
    }

    /** Counts the journal's record bytes written ({@code WRITTEN}) on top of the sink the member reports to. */
    private static final class WrittenBytes implements MetricsSink {
        final AtomicLong bytes = new AtomicLong();
        private final MetricsSink sink;

        WrittenBytes(MetricsSink sink) {
            this.sink = sink;
        }

        @Override
        public Counter counter(String name, String description, String... tags) {
            Counter counter = sink.counter(name, description, tags);
            if (!name.equals("echo.journal.bytes.written")) {
                return counter;
            }
            return amount -> {
                bytes.addAndGet(amount);
                counter.add(amount);
            };
        }

        @Override
        public Histogram histogram(String name, String description, String unit, String... tags) {
            return sink.histogram(name, description, unit, tags);
        }

        @Override
        public void gauge(String name, String description, LongSupplier value, String... tags) {
            sink.gauge(name, description, value, tags);
        }
    }

    /** A fixed key: the members are the bench's own processes on loopback. */
    private static final ClusterKey BENCH_KEY =
            ClusterKey.of("echo-bench-cluster-key-32-bytes!".getBytes(StandardCharsets.US_ASCII));

    /** TCP or UDP, under the bench's cluster key: the default, authenticated setup is what is measured. */
    private static Transport transport(boolean udp, MemberId self, Map<MemberId, PeerAddress> members) {
        PeerAddress own = members.get(self);
        InetSocketAddress bind = new InetSocketAddress(own.host(), own.port());
        Map<MemberId, PeerAddress> peers = new LinkedHashMap<>(members);
        peers.remove(self);
        if (udp) {
            UdpTransportOptions.Builder options = UdpTransportOptions.builder(self, bind, BENCH_KEY.toBytes());
            peers.forEach(options::peer);
            return new NettyUdpTransport(options.build());
        }
        TcpTransportOptions.Builder options =
                TcpTransportOptions.builder(self, "echo-bench", bind).clusterKey(BENCH_KEY);
        peers.forEach(options::peer);
        return new NettyTcpTransport(options.build());
    }

    public static void main(String[] args) throws Exception {
        MemberId self = MemberId.of(args[0]);
        Path dir = Path.of(args[1]);
        Map<MemberId, PeerAddress> members = new LinkedHashMap<>();
        for (String pair : args[2].split(",")) {
            String[] kv = pair.split("=", 2);
            members.put(MemberId.of(kv[0]), PeerAddress.parse(kv[1]));
        }
        // -Decho.bench.transport=udp: the members speak UDP (under the same key) instead of TCP.
        boolean udp = "udp".equals(System.getProperty("echo.bench.transport", "tcp"));
        Transport transport = transport(udp, self, members);
        // Three members share two cores here: an idle journal writer that spins steals the CPU the others need
        // (measured in docs/benchmarks.md); members on their own machines keep the default spin.
        // -Decho.bench.metrics=true (through ECHO_BENCH_MEMBER_OPTS) reports to a real Micrometer registry: what the
        // metrics cost on the hot path (issue 24's 3% check, docs/benchmarks.md).
        MetricsSink metrics = Boolean.getBoolean("echo.bench.metrics")
                ? new MicrometerMetrics(new SimpleMeterRegistry())
                : MetricsSink.NONE;
        WrittenBytes written = new WrittenBytes(metrics);
        FileJournal journal = FileJournal.open(JournalOptions.builder(dir, "echo-bench", self.value())
                .idleSpinIterations(Integer.getInteger("echo.bench.journalSpin", 0))
                // -Decho.bench.writesOnLoop=true: the loop's thread writes and forces, no journal writer thread
                // (docs/benchmarks.md, "The journal forced on the loops' threads").
                .writesOnCallerThreads(Boolean.getBoolean("echo.bench.writesOnLoop"))
                .metrics(written)
                .build());
        // -Decho.bench.logCacheMib=N (through ECHO_BENCH_MEMBER_OPTS) sizes the log cache: what it costs the
        // collector (docs/benchmarks.md).
        EchoNode node = EchoNode.builder(self)
                .logCacheBytes(Long.getLong("echo.bench.logCacheMib", EchoNode.DEFAULT_LOG_CACHE_BYTES >> 20) << 20)
                // -Decho.bench.loopsOnTransport=false: the group loop on a thread of its own, for an A/B of the
                // threading (docs/benchmarks.md, "Group loops on the transport's threads").
                .loopsOnTransportThreads(
                        Boolean.parseBoolean(System.getProperty("echo.bench.loopsOnTransport", "true")))
                .metrics(metrics)
                .transport(transport)
                .journal(journal)
                .build()
                .start();
        boolean multicast = args.length > 3 && args[3].equals("multicast");
        GroupOptions.Builder options =
                GroupOptions.builder().maxInFlight(100_000, false).multicast(multicast);
        // -Decho.bench.snapshotEvery=N: the state machine snapshots every N entries and the log is compacted (the
        // restart with a snapshot, issue 22's fast-restart target); by default the group never snapshots.
        long snapshotEvery = Long.getLong("echo.bench.snapshotEvery", 0);
        // Over UDP every message must fit a datagram: smaller appends, as echo-kv's --transport udp uses.
        Tuning tuning = udp ? Tuning.forDatagrams() : Tuning.defaults();
        if (snapshotEvery > 0) {
            tuning = tuning.withSnapshots(snapshotEvery, udp ? 16 << 10 : 256 << 10, Duration.ofMillis(500));
        }
        options.tuning(tuning);
        members.keySet().forEach(options::voter);
        AtomicLong delivered = new AtomicLong();
        ReplicatedGroup group =
                node.join("bench", options.build(), new MapMachine(snapshotEvery > 0), new GroupListener() {
                    @Override
                    public void multicastDelivered(MemberId sender, long viewEpoch, byte[] payload) {
                        delivered.incrementAndGet();
                    }
                });
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "ROLE" -> System.out.println("ROLE " + group.status().role());
                case "TERM" -> System.out.println("TERM " + group.status().term());
                case "RUN" ->
                    System.out.println(run(
                            new Loop(group, Integer.parseInt(words[1]), null, delivered),
                            Integer.parseInt(words[2]),
                            Integer.parseInt(words[3])));
                case "MCAST" ->
                    System.out.println(run(
                            new Loop(group, Integer.parseInt(words[1]), Ordering.valueOf(words[4]), delivered),
                            Integer.parseInt(words[2]),
                            Integer.parseInt(words[3])));
                case "DELIVERED" -> System.out.println("DELIVERED " + delivered.get());
                case "COUNT" ->
                    System.out.println(count(
                            new Loop(group, Integer.parseInt(words[1]), null, delivered), Long.parseLong(words[2])));
                case "HEAP" -> System.out.println("HEAP used=" + heapAfterFullGc());
                case "WRITTEN" -> System.out.println("WRITTEN bytes=" + written.bytes.get());
                case "APPLIED" -> System.out.println("APPLIED " + group.status().lastApplied());
                case "READ" -> {
                    // Just started, a member knows no leader yet, and a linearizable read would fail fast.
                    group.whenQuorum().get(1, TimeUnit.MINUTES);
                    group.read(new byte[0]).get(10, TimeUnit.MINUTES);
                    System.out.println("READ done");
                }
                case "QUIT" -> {
                    node.close();
                    System.out.println("BYE");
                    System.out.flush();
                    return;
                }
                default -> System.out.println("ERROR unknown command " + words[0]);
            }
            System.out.flush();
        }
        node.close();
    }

    /** Runs {@code loop} until {@code operations} completed; prints the rate. */
    static String count(Loop loop, long operations) throws InterruptedException {
        loop.measuring(true);
        long begin = System.nanoTime();
        loop.start();
        while (loop.completed() < operations) {
            Thread.sleep(20);
        }
        loop.stopAndAwait();
        long elapsed = System.nanoTime() - begin;
        return String.format(
                "RESULT ops=%d ops_s=%.0f errors=%d first_error=%s",
                loop.completed(), loop.completed() * 1e9 / elapsed, loop.errors(), loop.firstError());
    }

    /** The live heap: what is used after a full collection (G1 runs one for an explicit request). */
    static long heapAfterFullGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Runs {@code loop}, measuring only after the warm-up. */
    static String run(Loop loop, int warmupSeconds, int seconds) throws InterruptedException {
        loop.start();
        Thread.sleep(warmupSeconds * 1000L);
        // The coordinator samples every member's CPU time (and, for multicast, delivered count) here and at the end.
        System.out.println("MEASURE_START delivered=" + loop.delivered.get());
        System.out.flush();
        loop.measuring(true);
        long begin = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        loop.measuring(false);
        long elapsed = System.nanoTime() - begin;
        System.out.println("MEASURE_END delivered=" + loop.delivered.get());
        System.out.flush();
        loop.stopAndAwait();
        LatencyHistogram h = loop.histogram();
        double opsPerSecond = h.count() * 1e9 / elapsed;
        return String.format(
                "RESULT ops=%d ops_s=%.0f p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d",
                h.count(),
                opsPerSecond,
                h.percentile(0.50),
                h.percentile(0.99),
                h.percentile(0.999),
                h.max(),
                loop.errors());
    }

    /**
     * The closed loop: each completion submits (or multicasts) the next operation from the completing thread (the
     * group loop: neither blocks with the default fail-fast admission). Latencies are recorded under one lock:
     * completions of one group all arrive on its loop thread, so it is uncontended.
     */
    static final class Loop {
        private final ReplicatedGroup group;
        private final int clients;
        /** The multicasts' ordering, or null: the loop submits commands. */
        private final Ordering multicast;

        final AtomicLong delivered;
        private final LatencyHistogram histogram = new LatencyHistogram();
        private final AtomicLong errors = new AtomicLong();
        private final AtomicLong completed = new AtomicLong();
        /** What the first failed operation failed with: an {@link EchoException} reason, or the exception's class. */
        private volatile String firstError;

        private volatile boolean measuring;
        private volatile boolean stopping;
        private final CountDownLatch stopped;
        private final SplittableRandom random = new SplittableRandom(42);

        Loop(ReplicatedGroup group, int clients, Ordering multicast, AtomicLong delivered) {
            this.group = group;
            this.clients = clients;
            this.multicast = multicast;
            this.delivered = delivered;
            this.stopped = new CountDownLatch(clients);
        }

        void start() {
            for (int i = 0; i < clients; i++) {
                next();
            }
        }

        void measuring(boolean on) {
            measuring = on;
        }

        private byte[] command() {
            byte[] command = new byte[KEY_BYTES + VALUE_BYTES];
            int key;
            synchronized (random) {
                key = random.nextInt(KEYS);
            }
            // "k" and 15 decimal digits, written by hand: String.format cost the leader more CPU than Echo's commit.
            command[0] = 'k';
            for (int i = KEY_BYTES - 1, rest = key; i >= 1; i--, rest /= 10) {
                command[i] = (byte) ('0' + rest % 10);
            }
            command[KEY_BYTES] = (byte) key;
            return command;
        }

        private void next() {
            if (stopping) {
                stopped.countDown();
                return;
            }
            long start = System.nanoTime();
            CompletableFuture<?> operation = multicast != null
                    ? group.multicast(Arrays.copyOfRange(command(), KEY_BYTES, KEY_BYTES + VALUE_BYTES), multicast)
                    : group.submit(command());
            operation.whenComplete((result, error) -> {
                long micros = (System.nanoTime() - start) / 1000;
                completed.incrementAndGet();
                if (error != null && firstError == null) {
                    firstError = reason(error);
                }
                if (measuring) {
                    synchronized (histogram) {
                        if (error == null) {
                            histogram.record(micros);
                        }
                    }
                    if (error != null) {
                        errors.incrementAndGet();
                    }
                }
                next();
            });
        }

        void stopAndAwait() throws InterruptedException {
            stopping = true;
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                errors.addAndGet(stopped.getCount()); // operations that never completed
            }
        }

        LatencyHistogram histogram() {
            synchronized (histogram) {
                return histogram;
            }
        }

        long errors() {
            return errors.get();
        }

        long completed() {
            return completed.get();
        }

        String firstError() {
            return firstError == null ? "none" : firstError;
        }

        private static String reason(Throwable error) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            return cause instanceof EchoException echo
                    ? echo.reason().name()
                    : cause.getClass().getSimpleName();
        }
    }
}
