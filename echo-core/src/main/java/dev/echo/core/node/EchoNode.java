package dev.echo.core.node;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.NodeClock;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.runtime.NodeRuntime;
import dev.echo.core.runtime.RuntimeRules;
import dev.echo.core.storage.Journal;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One process's membership in the world of Echo groups: one {@link Transport}, one {@link Journal}, and any number of
 * groups, each run by a group loop pinned to a small pool of loop threads (ARCHITECTURE.md "The runtime"). The node
 * owns the transport and the journal from {@link Builder#build}: {@link #close} closes them.
 *
 * <pre>{@code
 * try (EchoNode node = EchoNode.builder(MemberId.of("n1")).transport(transport).journal(journal).build()) {
 *     node.start();
 *     ReplicatedGroup config = node.join("config", options, new ConfigMap(), new GroupListener() {});
 *     config.submit(command).join();
 * }
 * }</pre>
 *
 * <p>Threading: thread-safe. {@link #start}, {@link #join} and {@link #close} block (binding sockets, opening the
 * journal, stopping loops); do not call them from a group loop or a transport thread.
 */
public final class EchoNode implements AutoCloseable {
    private final MemberId self;
    private final NodeRuntime runtime;

    private EchoNode(MemberId self, NodeRuntime runtime) {
        this.self = self;
        this.runtime = runtime;
    }

    /**
     * The node around a runtime the testkit built itself, to run the runtime's mutants ({@link RuntimeRules}). The
     * runtime package is exported to the testkit alone, so an application cannot call this; it uses {@link #builder}.
     */
    public static EchoNode around(NodeRuntime runtime) {
        return new EchoNode(runtime.self(), runtime);
    }

    /** A builder for the node whose member id (in every group it joins) is {@code self}. */
    public static Builder builder(MemberId self) {
        return new Builder(self);
    }

    /** This node's member id. */
    public MemberId self() {
        return self;
    }

    /**
     * Starts the transport and the loop threads.
     *
     * @return this node
     * @throws TransportException if the transport cannot bind
     * @throws IllegalStateException if already started or closed
     */
    public EchoNode start() throws TransportException {
        runtime.start();
        return this;
    }

    /**
     * Joins group {@code name} as this node's member: recovers its journal (replaying the log into an empty
     * {@code stateMachine}) and starts taking part.
     *
     * @param stateMachine the application's state for this group, empty; called on the group loop, in log order
     * @param listener status and view events, called on the group loop; must not block
     * @throws EchoException {@code STORAGE_FAILED} if the group's journal is damaged or cannot be opened
     * @throws IllegalArgumentException if the options do not include this member or cannot fit the transport
     * @throws IllegalStateException if the node is not started or already hosts the group
     */
    public ReplicatedGroup join(String name, GroupOptions options, StateMachine stateMachine, GroupListener listener) {
        return runtime.join(
                name,
                Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(stateMachine, "stateMachine"),
                Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Invoker mode only: runs due ticks, every group with pending work once, and queued snapshot work, on the
     * caller's thread. Ticks are due by the node's {@link NodeClock}.
     *
     * @return whether anything ran
     */
    public boolean runPending() {
        return runtime.runPending();
    }

    /** Envelopes received for groups this node does not host (dropped). */
    public long unroutableMessages() {
        return runtime.unroutable();
    }

    /**
     * Closes every group (pending operations fail with {@code CLOSED}), stops the loop threads, then closes the
     * transport and the journal (which forces what is queued). Idempotent.
     */
    @Override
    public void close() {
        runtime.close();
    }

    /** The default of {@link Builder#logCacheBytes}: 64 MiB. */
    public static final long DEFAULT_LOG_CACHE_BYTES = 64L << 20;

    /** Collects a node's parts; {@link #build} validates them. Not thread-safe. */
    public static final class Builder {
        private final MemberId self;
        private Transport transport;
        private Journal journal;
        private Duration tick = Duration.ofMillis(10);
        private int loopThreads = Math.min(4, Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        private boolean invoker;
        private NodeClock clock = NodeClock.system();
        private OptionalLong seed = OptionalLong.empty();
        private MetricsSink metrics = MetricsSink.NONE;
        private long logCacheBytes = DEFAULT_LOG_CACHE_BYTES;
        private boolean loopsOnTransport = true;

        private Builder(MemberId self) {
            this.self = Objects.requireNonNull(self, "self");
        }

        /** The transport to reach peers; its member must be this node's. */
        public Builder transport(Transport value) {
            transport = value;
            return this;
        }

        /** The journal all groups of this node share. */
        public Builder journal(Journal value) {
            journal = value;
            return this;
        }

        /** Length of one protocol tick (default 10 ms): timers fire on ticks, and {@link dev.echo.core.Tuning} durations are
         * rounded to them. */
        public Builder tick(Duration value) {
            tick = value;
            return this;
        }

        /**
         * Number of loops groups are pinned to (default: half the processors, 1 to 4). Each is a thread of its own, or,
         * with {@link #loopsOnTransportThreads}, runs on one of the transport's I/O threads (round robin).
         */
        public Builder loopThreads(int value) {
            loopThreads = value;
            return this;
        }

        /**
         * Whether the group loops run on the transport's I/O threads when the transport offers them (default true;
         * {@link Transport#ioExecutors}: the TCP and UDP transports do). A batch of messages is then read, stepped by its
         * group and answered on one thread, with no hand-off between threads, which saves CPU and latency on every
         * member (docs/benchmarks.md, "Group loops on the transport's threads"). The state machine's {@code apply}
         * and the listener then run on that I/O thread too: a slow callback also delays this node's reading and
         * writing of messages for the groups that share it (it delays those groups' protocol either way). With false,
         * each loop has a thread of its own. Ignored in invoker mode.
         */
        public Builder loopsOnTransportThreads(boolean value) {
            loopsOnTransport = value;
            return this;
        }

        /**
         * Invoker mode: the node starts no thread of its own (the transport and the journal may have theirs); the
         * application drives protocol steps, ticks and snapshot work with {@link EchoNode#runPending}.
         */
        public Builder invoker(boolean value) {
            invoker = value;
            return this;
        }

        /**
         * The clock every timer of the node reads (default {@link NodeClock#system()}). With {@link #invoker} and a
         * clock the caller advances, a whole node runs on simulated time, which is how the simulator runs it.
         */
        public Builder clock(NodeClock value) {
            clock = value;
            return this;
        }

        /**
         * Where the node and its groups report their metrics (default {@link MetricsSink#NONE}: nothing, at no cost).
         * docs/operations.md lists them.
         */
        public Builder metrics(MetricsSink value) {
            metrics = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /**
         * The bytes of log entries the node's groups keep in memory together (default 64 MiB). Older entries stay in
         * the journal and are read back, off the groups' threads, when a lagging member or a restarted state machine
         * needs them, so a group that never snapshots does not grow the heap (docs/architecture.md, "The log cache").
         * Entries not yet durable always stay.
         */
        public Builder logCacheBytes(long value) {
            logCacheBytes = value;
            return this;
        }

        /**
         * Seeds the node's randomness (election timeouts, client ids), so that a run replays exactly; for the
         * simulator and tests. Default: a secure random seed per group.
         */
        public Builder randomSeed(long value) {
            seed = OptionalLong.of(value);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the missing or wrong part
         */
        public EchoNode build() {
            if (transport == null) {
                throw new IllegalArgumentException("a transport is required");
            }
            if (journal == null) {
                throw new IllegalArgumentException("a journal is required");
            }
            if (!transport.self().equals(self)) {
                throw new IllegalArgumentException(
                        "the transport speaks for " + transport.self() + ", not for this node " + self);
            }
            if (tick == null || tick.toMillis() < 1 || tick.toSeconds() > 10) {
                throw new IllegalArgumentException("tick must be 1 ms to 10 s: " + tick);
            }
            if (loopThreads < 1 || loopThreads > 256) {
                throw new IllegalArgumentException("loopThreads must be 1..256: " + loopThreads);
            }
            if (clock == null) {
                throw new IllegalArgumentException("a clock is required");
            }
            if (logCacheBytes < 0) {
                throw new IllegalArgumentException("logCacheBytes must not be negative: " + logCacheBytes);
            }
            NodeRuntime runtime = new NodeRuntime(
                    self,
                    transport,
                    journal,
                    tick.toNanos(),
                    loopThreads,
                    invoker,
                    clock,
                    seed,
                    RuntimeRules.STRICT,
                    metrics,
                    logCacheBytes,
                    loopsOnTransport);
            return new EchoNode(self, runtime);
        }
    }
}
