package dev.echo.bench;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Voter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The weighted quorum test with the linear tie-breaker (PROTOCOL.md §2), as the leader runs it for every commit
 * check and read round: one configuration of N weighted voters, and a joint configuration (two of them). The set
 * asked about is half the voters, the case that needs the tie-breaker. Run: {@code bin/echo-bench jmh Quorum}.
 *
 * <p>JMH state of scope {@code Benchmark}: set up once, read without locks by the measuring threads, never changed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QuorumBenchmark {
    @Param({"3", "5", "7"})
    int voters;

    private QuorumSystem single;
    private QuorumSystem joint;
    private Predicate<MemberId> half;

    @Setup
    public void setUp() {
        List<Voter> list = new ArrayList<>();
        for (int i = 0; i < voters; i++) {
            list.add(Voter.of("m" + i, 1 + i % 3));
        }
        Configuration configuration = Configuration.ofVoters(list);
        single = configuration;
        joint = new JointConfiguration(
                configuration, configuration.withTop(list.get(voters - 1).id()));
        half = id -> id.value().charAt(1) % 2 == 0;
    }

    @Benchmark
    public boolean singleConfiguration() {
        return single.isQuorum(half);
    }

    @Benchmark
    public boolean jointConfiguration() {
        return joint.isQuorum(half);
    }
}
