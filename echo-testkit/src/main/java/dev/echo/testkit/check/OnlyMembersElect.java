package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Role;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * PROTOCOL.md §11.14, elections: a vote from outside the configuration never counts. A member outside its own
 * (stale) configuration may answer vote requests (docs/protocol.md explains why), so this checks the counting side:
 * whenever a member becomes leader, the granted votes it had received in that term, with its own, form a quorum of
 * every configuration in force in its log. The commit side of §11.14 is {@link CommitNeedsDurableQuorum}, which
 * counts holders only within the configuration. A vote counts only from the incarnation the configuration records
 * for the voter (PROTOCOL.md §5): a wiped member's new life has lost the votes its old one cast.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class OnlyMembersElect implements Invariant {
    /** "member@term" → members whose granted vote it received in that term, with the voter's incarnation. */
    private final Map<String, Map<MemberId, Long>> grants = new HashMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        MemberId self = step.node().id();
        long term = step.after().term();
        if (step.input() instanceof Input.Receive receive
                && receive.message() instanceof Message.VoteResponse response
                && response.granted()
                && response.term() == term) {
            grants.computeIfAbsent(self + "@" + term, key -> new TreeMap<>())
                    .put(response.from(), receive.incarnation());
        }
        if (step.after().role() != Role.LEADER || step.before().role() == Role.LEADER) {
            return;
        }
        Map<MemberId, Long> voters = new TreeMap<>(grants.getOrDefault(self + "@" + term, Map.of()));
        if (step.after().votedFor().equals(Optional.of(self))) {
            voters.put(self, step.node().disk().incarnation());
        }
        var configuration = step.node().core().orElseThrow().log().configuration();
        if (!configuration.isQuorumOf(
                (id, incarnation) -> Long.valueOf(incarnation).equals(voters.get(id)))) {
            throw new InvariantViolation(
                    "§11.14 only members elect",
                    self + " became leader of term " + term + " with votes from " + voters + ", not a quorum of "
                            + configuration.members());
        }
    }
}
