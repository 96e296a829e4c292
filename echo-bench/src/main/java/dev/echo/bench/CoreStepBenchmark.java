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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protocol core's own cost, without I/O: three members in one thread ({@link InMemoryGroup}). One invocation
 * submits 256 commands of 116 bytes at the leader and steps all three members until every command is committed and
 * applied; the score is the time per command, all three members' work included. Run:
 * {@code bin/echo-bench jmh CoreStep}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreStepBenchmark {
    private static final int BATCH = 256;
    private static final long CLIENT = 7;

    private final byte[] command = new byte[116];
    private InMemoryGroup group;
    private long sequence;

    /** A fresh group per iteration, so the in-memory log does not grow across the whole run. */
    @Setup(Level.Iteration)
    public void setUp() {
        group = new InMemoryGroup();
        group.atLeader(new Input.OpenSession(CLIENT));
        group.run();
        sequence = 0;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long commitBatch() {
        long target = group.commandsCompleted() + BATCH;
        for (int i = 0; i < BATCH; i++) {
            sequence++;
            group.atLeader(new Input.Submit(CLIENT, sequence, sequence - 1, command));
        }
        group.run();
        if (group.commandsCompleted() != target) {
            throw new IllegalStateException("completed " + group.commandsCompleted() + ", expected " + target);
        }
        return target;
    }
}
