package dev.echo.testkit.check;

import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.Role;

/**
 * PROTOCOL.md §11.14, the STORAGE_FAULTED half: a member whose journal reported damage neither votes nor counts
 * toward a commit until its leader repairs it. Every step taken in that state must send no granted vote or pre-vote
 * and no acknowledgement of entries, and must not start a campaign.
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class FaultedMembersStayOut implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        if (step.before().status() != MemberStatus.STORAGE_FAULTED) {
            return;
        }
        if (step.after().role() != Role.FOLLOWER) {
            throw violation(step, "became " + step.after().role());
        }
        for (Output output : step.outputs()) {
            if (output instanceof Output.Send send && speaksAsMember(send.message())) {
                throw violation(step, "sent " + send.message());
            }
        }
    }

    private static boolean speaksAsMember(Message message) {
        return message instanceof Message.VoteResponse vote && vote.granted()
                || message instanceof Message.PreVoteResponse preVote && preVote.granted()
                || message instanceof Message.AppendResponse append && append.success();
    }

    private static InvariantViolation violation(StepRecord step, String what) {
        return new InvariantViolation(
                "§11.14 a STORAGE_FAULTED member neither votes nor acknowledges",
                step.node().id() + ", faulted, " + what);
    }
}
