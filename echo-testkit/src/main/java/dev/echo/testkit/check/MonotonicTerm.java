package dev.echo.testkit.check;

import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Output;
import java.util.Arrays;

/**
 * PROTOCOL.md §11.3: a member's term never decreases, across restarts too; and nothing is sent in a term before that
 * term is durable (so a restart can never fall back to a term others have already seen from it).
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class MonotonicTerm implements Invariant {
    private long[] highestDurable = new long[0];
    /** The disk incarnation {@link #highestDurable} was seen on: a wiped disk starts again from term 0 (§5). */
    private long[] diskIncarnation = new long[0];

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
        sameDisk(node, step.node().disk().incarnation());
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
        sameDisk(node, cluster.nodes().get(node).disk().incarnation());
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
            highestDurable = Arrays.copyOf(highestDurable, cluster.nodes().size());
            diskIncarnation = Arrays.copyOf(diskIncarnation, cluster.nodes().size());
        }
    }

    /** A new disk (after a wipe) has its own terms; the old life's votes are what incarnations protect. */
    private void sameDisk(int node, long incarnation) {
        if (diskIncarnation[node] != incarnation) {
            diskIncarnation[node] = incarnation;
            highestDurable[node] = 0;
        }
    }
}
