package dev.echo.testkit.check;

import dev.echo.core.protocol.Role;

/**
 * PROTOCOL.md §4 step 3: a leader commits by counting only an entry of its own term; earlier entries commit with it
 * (Raft Figure 8). So whenever a leader's commit index moves during its term, it lands on an entry of that term.
 * The consequence of breaking this, a committed entry overwritten by a later leader, is §11.6 and needs a rare
 * history to show; this checks the rule itself on every step.
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class LeaderCommitsOwnTerm implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        boolean ledThroughout = step.before().role() == Role.LEADER
                && step.after().role() == Role.LEADER
                && step.before().term() == step.after().term();
        if (!ledThroughout || step.after().commitIndex() <= step.before().commitIndex()) {
            return;
        }
        long commit = step.after().commitIndex();
        long termThere = step.node().core().orElseThrow().log().termAt(commit);
        if (termThere != step.after().term()) {
            throw new InvariantViolation(
                    "§4 commit by counting only in the leader's term",
                    step.node().id() + " committed up to " + commit + ", an entry of term " + termThere
                            + ", by counting in term " + step.after().term());
        }
    }
}
