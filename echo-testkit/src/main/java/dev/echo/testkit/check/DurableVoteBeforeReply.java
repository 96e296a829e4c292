package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Output;
import java.util.Optional;
import java.util.TreeMap;

/**
 * PROTOCOL.md §11.2: at most one vote per (member, term), and it is durable before the grant is sent.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class DurableVoteBeforeReply implements Invariant {
    /** "member@term" → candidate. */
    private final TreeMap<String, MemberId> votes = new TreeMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        for (Output output : step.outputs()) {
            if (output instanceof Output.Send send
                    && send.message() instanceof Message.VoteResponse response
                    && response.granted()) {
                var durable = step.node().disk().hardState();
                if (durable.term() != response.term() || !durable.votedFor().equals(Optional.of(send.to()))) {
                    throw new InvariantViolation(
                            "§11.2 vote durable before reply",
                            step.node().id() + " granted " + send.to() + " in term " + response.term()
                                    + " but its disk holds " + durable);
                }
                MemberId earlier = votes.putIfAbsent(step.node().id() + "@" + response.term(), send.to());
                if (earlier != null && !earlier.equals(send.to())) {
                    throw new InvariantViolation(
                            "§11.2 one vote per term",
                            step.node().id() + " voted for " + earlier + " and " + send.to() + " in term "
                                    + response.term());
                }
            }
        }
    }
}
