package dev.echo.bench;

import dev.echo.core.protocol.Input;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The core's cost per linearizable read against how many are in flight at once: one invocation reads
 * {@value #READS} times at the leader of an {@link InMemoryGroup}, in bursts of {@code inFlight} reads that each
 * arrive as a step of their own (as the runtime hands them over) before the group runs until all are answered. The
 * score is the time per read, all three members' work included; it should not grow with {@code inFlight}
 * (docs/benchmarks.md, "Linearizable reads in bulk"). JMH runs each instance on one thread. Run:
 * {@code bin/echo-bench jmh ReadsInFlight}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReadsInFlightBenchmark {
    private static final int READS = 4_096;

    @Param({"16", "256", "4096"})
    public int inFlight;

    private final byte[] query = new byte[16];
    private InMemoryGroup group;
    private long readId;

    @Setup(Level.Iteration)
    public void setUp() {
        group = new InMemoryGroup();
        readId = 0;
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public long readAll() {
        long target = group.readsCompleted() + READS;
        for (int burst = 0; burst < READS / inFlight; burst++) {
            for (int i = 0; i < inFlight; i++) {
                group.atLeader(new Input.Read(++readId, query, false));
            }
            group.run();
        }
        if (group.readsCompleted() != target) {
            throw new IllegalStateException("answered " + group.readsCompleted() + ", expected " + target);
        }
        return target;
    }
}
