package dev.echo.bench;

import dev.echo.core.MemberId;
import dev.echo.core.StateMachine;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.RecoveredState;
import dev.echo.core.protocol.Role;
import dev.echo.core.protocol.Voter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The protocol core's own cost, without I/O: three {@link GroupProtocol} members in one thread, messages handed over
 * in memory and every persist reported durable at once. One invocation submits 256 commands of 116 bytes at the
 * leader and steps all three members until every command is committed and applied; the score is the time per
 * command, all three members' work included. Run: {@code bin/echo-bench jmh CoreStep}.
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
    private static final StateMachine NO_OP = new StateMachine() {
        private final byte[] empty = new byte[0];

        @Override
        public byte[] apply(long index, byte[] command) {
            return empty;
        }

        @Override
        public byte[] query(byte[] query) {
            return empty;
        }
    };

    private record Work(GroupProtocol member, Input input) {}

    private final Map<MemberId, GroupProtocol> members = new HashMap<>();
    private final ArrayDeque<Work> work = new ArrayDeque<>();
    private final byte[] command = new byte[116];
    private GroupProtocol leader;
    private long sequence;
    private long completed;

    /** A fresh group per iteration, so the in-memory log does not grow across the whole run. */
    @Setup(Level.Iteration)
    public void setUp() {
        members.clear();
        work.clear();
        Configuration abc = Configuration.ofVoters(List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1)));
        long seed = 1;
        for (Voter voter : abc.voters()) {
            members.put(
                    voter.id(),
                    new GroupProtocol(
                            voter.id(), 0, abc, ProtocolOptions.defaults(), RecoveredState.EMPTY, NO_OP, seed++));
        }
        leader = null;
        for (int tick = 0; tick < 1000 && leader == null; tick++) {
            for (GroupProtocol member : members.values()) {
                work.add(new Work(member, new Input.Tick()));
            }
            pump();
            for (GroupProtocol member : members.values()) {
                if (member.role() == Role.LEADER && member.commitIndex() > 0) {
                    leader = member;
                }
            }
        }
        if (leader == null) {
            throw new IllegalStateException("no leader elected");
        }
        work.add(new Work(leader, new Input.OpenSession(CLIENT)));
        pump();
        sequence = 0;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long commitBatch() {
        long target = completed + BATCH;
        for (int i = 0; i < BATCH; i++) {
            sequence++;
            work.add(new Work(leader, new Input.Submit(CLIENT, sequence, sequence - 1, command)));
        }
        pump();
        if (completed != target) {
            throw new IllegalStateException("completed " + completed + ", expected " + target);
        }
        return completed;
    }

    /** Steps members until nothing is left to do: sends delivered at once, persists durable at once. */
    private void pump() {
        while (!work.isEmpty()) {
            Work next = work.poll();
            next.member().step(next.input());
            for (Output output : next.member().drainOutputs()) {
                if (output instanceof Output.Send send) {
                    work.add(new Work(members.get(send.to()), new Input.Receive(send.message())));
                } else if (output instanceof Output.Persist persist) {
                    work.add(new Work(next.member(), new Input.Persisted(persist.ticket())));
                } else if (output instanceof Output.Completed) {
                    completed++;
                }
            }
        }
    }
}
