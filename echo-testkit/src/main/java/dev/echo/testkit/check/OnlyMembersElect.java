package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Message;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * PROTOCOL.md §11.14, elections: a vote from outside the configuration never counts. A member outside its own
 * (stale) configuration may answer vote requests (docs/protocol.md explains why), so this checks the counting side:
 * whenever a member becomes leader, the granted votes it had received in that term, with its own, form a quorum of
 * every configuration in force in its log. The commit side of §11.14 is {@link CommitNeedsDurableQuorum}, which
 * counts holders only within the configuration.
 */
public final class OnlyMembersElect implements Invariant {
    /** "member@term" → members whose granted vote it received in that term. */
    private final Map<String, Set<MemberId>> grants = new HashMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        MemberId self = step.node().id();
        long term = step.after().term();
        if (step.input() instanceof Input.Receive receive
                && receive.message() instanceof Message.VoteResponse response
                && response.granted()
                && response.term() == term) {
            grants.computeIfAbsent(self + "@" + term, key -> new TreeSet<>()).add(response.from());
        }
        if (step.after().role() != GroupProtocol.Role.LEADER || step.before().role() == GroupProtocol.Role.LEADER) {
            return;
        }
        Set<MemberId> voters = new TreeSet<>(grants.getOrDefault(self + "@" + term, Set.of()));
        if (step.after().votedFor().equals(Optional.of(self))) {
            voters.add(self);
        }
        var configuration = step.node().core().orElseThrow().log().configuration();
        if (!configuration.isQuorum(voters::contains)) {
            throw new InvariantViolation(
                    "§11.14 only members elect",
                    self + " became leader of term " + term + " with votes from " + voters + ", not a quorum of "
                            + configuration.members());
        }
    }
}
