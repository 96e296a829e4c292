package dev.echo.testkit.check;

import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Output;

/**
 * PROTOCOL.md §11.3: a member's term never decreases, across restarts too; and nothing is sent in a term before that
 * term is durable (so a restart can never fall back to a term others have already seen from it).
 */
public final class MonotonicTerm implements Invariant {
    private long[] highestDurable = new long[0];

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        int node = step.node().index();
        ensure(cluster);
        if (step.after().term() < step.before().term()) {
            throw new InvariantViolation(
                    "§11.3 term never decreases",
                    step.node().id() + " went from term " + step.before().term() + " to "
                            + step.after().term());
        }
        long durable = step.node().disk().hardState().term();
        if (durable < highestDurable[node]) {
            throw new InvariantViolation(
                    "§11.3 term never decreases", step.node().id() + " durable term fell to " + durable);
        }
        highestDurable[node] = durable;
        for (Output output : step.outputs()) {
            if (output instanceof Output.Send send && carriesOwnTerm(send.message())) {
                if (send.message().term() > durable) {
                    throw new InvariantViolation(
                            "§11.3 term durable before use",
                            step.node().id() + " sent "
                                    + send.message().getClass().getSimpleName() + " in term "
                                    + send.message().term() + " with durable term " + durable);
                }
            }
        }
    }

    @Override
    public void afterRestart(int node, ClusterView cluster) {
        ensure(cluster);
        long recovered = cluster.nodes().get(node).core().orElseThrow().term();
        if (recovered < highestDurable[node]) {
            throw new InvariantViolation(
                    "§11.3 term never decreases",
                    cluster.nodes().get(node).id() + " restarted in term " + recovered + " after durable term "
                            + highestDurable[node]);
        }
    }

    /** Pre-vote messages name the term the candidate would start, not one it is in. */
    private static boolean carriesOwnTerm(Message message) {
        return !(message instanceof Message.PreVoteRequest)
                && !(message instanceof Message.PreVoteResponse response && response.granted());
    }

    private void ensure(ClusterView cluster) {
        if (highestDurable.length < cluster.nodes().size()) {
            highestDurable = new long[cluster.nodes().size()];
        }
    }
}
