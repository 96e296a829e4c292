package dev.echo.core.runtime;

import dev.echo.core.EchoException;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MemberStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's leadership transfers at one member ({@link dev.echo.core.ReplicatedGroup#transferLeadership}):
 * refused at once when this member does not lead or the target does not vote, else handed to the core, which catches
 * the target up and tells it to campaign (docs/protocol.md, "Elections", leadership transfer). The caller's future
 * completes with this member's status once it follows the target as leader, fails with {@code NOT_LEADER} as soon as
 * it follows another member, or fails with {@code TIMEOUT} at the request deadline (the core gives up after an
 * election timeout and takes writes again; leadership may still move later). Loop thread only.
 */
final class LeadershipTransfers {
    private final GroupProtocol core;
    private final String group;
    private final List<GroupLoop.Transfer> waiting = new ArrayList<>();

    LeadershipTransfers(GroupProtocol core, String group) {
        this.core = core;
        this.group = group;
    }

    /**
     * A transfer asked of this member, whose last reported status is {@code status}. Whether it leads is the core's
     * word, which a status reported earlier in this run may not show yet.
     */
    void request(GroupLoop.Transfer transfer, GroupStatus status) {
        MemberId target = transfer.target();
        if (core.status() != MemberStatus.LEADER) {
            fail(
                    transfer,
                    EchoException.Reason.NOT_LEADER,
                    "this member does not lead"
                            + status.leader().map(leader -> "; ask " + leader).orElse(""));
        } else if (target.equals(core.self())) {
            transfer.future().complete(status); // it leads already
        } else if (!core.configuration().isVoter(target)) {
            fail(transfer, EchoException.Reason.INVALID, "not a voter of the configuration in force");
        } else {
            waiting.add(transfer);
            core.step(new Input.TransferLeadership(target));
        }
    }

    /**
     * This member's status changed. Transfers to the leader it now follows are done; once another member leads, this
     * one can no longer hand leadership on, so the rest end with {@code NOT_LEADER} now rather than at their deadline.
     */
    void statusChanged(GroupStatus status) {
        if (status.leader().isEmpty() || waiting.isEmpty()) {
            return;
        }
        MemberId leader = status.leader().get();
        if (leader.equals(core.self())) {
            return; // still leads: its transfers go on until they succeed or expire
        }
        for (GroupLoop.Transfer transfer : waiting) {
            if (transfer.target().equals(leader)) {
                transfer.future().complete(status);
            } else {
                fail(
                        transfer,
                        EchoException.Reason.NOT_LEADER,
                        "leadership moved to " + leader + " instead; ask " + leader);
            }
        }
        waiting.clear();
    }

    /** Transfers past their deadline fail with {@code TIMEOUT}: leadership did not move to their target in time. */
    void expire(long nowNanos) {
        waiting.removeIf(transfer -> {
            if (nowNanos - transfer.deadlineNanos() < 0) {
                return false;
            }
            fail(transfer, EchoException.Reason.TIMEOUT, "leadership did not move there in time (it may still)");
            return true; // also when the caller cancelled its future: nothing is left to tell
        });
    }

    /** The group stopped: every transfer still waiting fails with {@code cause}. */
    void stopped(EchoException cause) {
        waiting.forEach(transfer -> transfer.future().completeExceptionally(cause));
        waiting.clear();
    }

    private void fail(GroupLoop.Transfer transfer, EchoException.Reason reason, String why) {
        transfer.future()
                .completeExceptionally(
                        new EchoException(reason, "transfer of " + group + " to " + transfer.target() + ": " + why));
    }
}
