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

/**
 * Three {@link GroupProtocol} members in one thread, for the core's benchmarks: messages handed over in memory, every
 * persist reported durable at once, a state machine that does nothing. Built with a leader elected and its no-op
 * committed. Not thread-safe.
 */
final class InMemoryGroup {
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
    private final GroupProtocol leader;
    private long commandsCompleted;
    private long readsCompleted;

    InMemoryGroup() {
        Configuration abc = Configuration.ofVoters(List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1)));
        long seed = 1;
        for (Voter voter : abc.voters()) {
            members.put(
                    voter.id(),
                    new GroupProtocol(
                            voter.id(), 0, abc, ProtocolOptions.defaults(), RecoveredState.EMPTY, NO_OP, seed++));
        }
        GroupProtocol elected = null;
        for (int tick = 0; tick < 1000 && elected == null; tick++) {
            for (GroupProtocol member : members.values()) {
                work.add(new Work(member, new Input.Tick()));
            }
            run();
            for (GroupProtocol member : members.values()) {
                if (member.role() == Role.LEADER && member.commitIndex() > 0) {
                    elected = member;
                }
            }
        }
        if (elected == null) {
            throw new IllegalStateException("no leader elected");
        }
        leader = elected;
    }

    /** Queues {@code input} for the leader; {@link #run} steps it, each input a step of its own. */
    void atLeader(Input input) {
        work.add(new Work(leader, input));
    }

    /** Steps members until nothing is left to do. */
    void run() {
        while (!work.isEmpty()) {
            Work next = work.poll();
            next.member().step(next.input());
            for (Output output : next.member().drainOutputs()) {
                if (output instanceof Output.Send send) {
                    work.add(new Work(members.get(send.to()), new Input.Receive(send.message())));
                } else if (output instanceof Output.Persist persist) {
                    work.add(new Work(next.member(), new Input.Persisted(persist.ticket())));
                } else if (output instanceof Output.Completed) {
                    commandsCompleted++;
                } else if (output instanceof Output.ReadCompleted) {
                    readsCompleted++;
                }
            }
        }
    }

    long commandsCompleted() {
        return commandsCompleted;
    }

    long readsCompleted() {
        return readsCompleted;
    }
}
