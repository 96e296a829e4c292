package dev.echo.testkit.check;

import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.Role;
import java.util.Optional;

/**
 * PROTOCOL.md §6: a member refuses (pre-)votes within the minimum election timeout of hearing from a live leader,
 * unless the leader itself asked for the election (leadership transfer). The checker counts each member's ticks
 * since it last accepted an AppendRequest (a leader counts as hearing itself).
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class LeaderLeaseRespected implements Invariant {
    private static final long NEVER = Long.MAX_VALUE / 2;
    private long[] ticksSinceContact = new long[0];

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        int node = step.node().index();
        ensure(cluster);
        long since = ticksSinceContact[node];
        boolean inLease = since < cluster.options().electionTimeoutMinTicks();
        if (step.input() instanceof Input.Receive receive) {
            Message message = receive.message();
            if (inLease && message instanceof Message.VoteRequest request && !request.leadershipTransfer()) {
                boolean granted = step.after().votedFor().equals(Optional.of(request.from()))
                        && step.after().term() == request.term()
                        && !(step.before().term() == request.term()
                                && step.before().votedFor().equals(Optional.of(request.from())));
                if (granted) {
                    throw violation(step, "vote", since);
                }
            }
            if (inLease && message instanceof Message.PreVoteRequest) {
                for (Output output : step.outputs()) {
                    if (output instanceof Output.Send send
                            && send.message() instanceof Message.PreVoteResponse response
                            && response.granted()) {
                        throw violation(step, "pre-vote", since);
                    }
                }
            }
            // Contact is an append the member followed: one it refused (a stranger's, PROTOCOL.md §10) starts no lease.
            if (message instanceof Message.AppendRequest
                    && !HostileInputChangesNothing.hostile(receive)
                    && message.term() == step.after().term()
                    && step.node().core().orElseThrow().leaderId().equals(Optional.of(message.from()))) {
                ticksSinceContact[node] = 0;
            }
        } else if (step.input() instanceof Input.Tick && step.before().role() != Role.LEADER) {
            ticksSinceContact[node] = Math.min(since + 1, NEVER);
        }
        if (step.after().role() == Role.LEADER) {
            ticksSinceContact[node] = 0;
        }
    }

    @Override
    public void afterRestart(int node, ClusterView cluster) {
        ensure(cluster);
        ticksSinceContact[node] = NEVER;
    }

    private static InvariantViolation violation(StepRecord step, String what, long since) {
        return new InvariantViolation(
                "§6 no vote while a leader is live",
                step.node().id() + " granted a " + what + " " + since + " ticks after hearing from its leader");
    }

    private void ensure(ClusterView cluster) {
        if (ticksSinceContact.length < cluster.nodes().size()) {
            ticksSinceContact = new long[cluster.nodes().size()];
            java.util.Arrays.fill(ticksSinceContact, NEVER);
        }
    }
}
