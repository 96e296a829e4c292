package dev.echo.core.protocol;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The leader's side of configuration changes (PROTOCOL.md §3, Rule R): every voting change goes through a joint
 * configuration J(old, new) and then C_new; one change at a time, only once the leader has committed an entry of its
 * own term; a committed J is followed at once by C_new; a leader outside C_new hands over and steps down once C_new
 * commits. Learner-only changes are a single entry (quorums do not change). Not thread-safe; part of its
 * {@link GroupProtocol}.
 */
final class Reconfiguration {
    private final GroupProtocol member;
    /** The change this leader is driving, if any: who asked and where it goes. */
    private Optional<Pending> pending = Optional.empty();

    /** A change in progress; {@code requestId} is empty for the leader's own dynamic-voting changes (§7). */
    private record Pending(OptionalLong requestId, Configuration target) {}

    Reconfiguration(GroupProtocol member) {
        this.member = member;
    }

    /** A request to reach {@code target}; rejected at once unless this member may start it now. */
    void request(long requestId, Configuration target) {
        if (member.role() != GroupProtocol.Role.LEADER) {
            reject(requestId, RejectReason.NOT_LEADER);
            return;
        }
        if (pending.isPresent() || !member.ownTermCommitted() || changeInFlight()) {
            reject(requestId, RejectReason.CHANGE_IN_PROGRESS); // rule 2
            return;
        }
        Configuration now = (Configuration) member.configuration(); // no change in flight: a plain configuration
        if (now.equals(target) || target.members().size() < member.options().minCopies()) {
            // Fewer members than minCopies could never commit again, not even a change that adds some back.
            reject(requestId, RejectReason.INVALID);
            return;
        }
        start(OptionalLong.of(requestId), now, target);
    }

    /** Whether the leader could start a change now: none pending, its no-op committed, nothing in flight. */
    boolean idle() {
        return member.role() == GroupProtocol.Role.LEADER
                && pending.isEmpty()
                && member.ownTermCommitted()
                && !changeInFlight();
    }

    /** The leader's own change (dynamic voting, §7); the caller checked {@link #idle()}. */
    void propose(Configuration target) {
        GroupProtocol.check(idle(), "rule 2: one configuration change at a time");
        Configuration now = (Configuration) member.configuration();
        if (!now.equals(target) && target.members().size() >= member.options().minCopies()) {
            start(OptionalLong.empty(), now, target);
        }
    }

    private void start(OptionalLong requestId, Configuration now, Configuration target) {
        pending = Optional.of(new Pending(requestId, target));
        boolean votingChange = !now.voters().equals(target.voters());
        if (votingChange && !member.options().has(Mutation.SKIP_JOINT_CONSENSUS)) {
            member.appendAsLeader(new Entry.ConfigurationChange(new JointConfiguration(now, target))); // rule 1
        } else {
            member.appendAsLeader(new Entry.ConfigurationChange(target));
        }
        member.leader().syncFollowers();
        member.leader().replicateToAll();
        member.leader().maybeCommit(); // a leader alone in both configurations commits at once
    }

    /** The commit index advanced at the leader: continue or finish the change in progress. */
    void commitAdvanced() {
        ReplicationLog log = member.log();
        if (log.configurationIndex() > member.commitIndex() || !member.ownTermCommitted()) {
            return; // the latest configuration entry is not committed yet
        }
        QuorumSystem current = log.configuration();
        if (current instanceof JointConfiguration joint) {
            member.appendAsLeader(new Entry.ConfigurationChange(joint.next())); // rule 3: C_new at once
            member.leader().syncFollowers();
            member.leader().replicateToAll();
            member.leader().maybeCommit();
            return;
        }
        Configuration committed = (Configuration) current;
        if (pending.isPresent() && pending.get().target().equals(committed)) {
            long index = log.configurationIndex();
            pending.get().requestId().ifPresent(id -> member.outputs()
                    .add(new Output.ReconfigurationCompleted(id, new Output.Committed(index, new byte[0], false))));
            pending = Optional.empty();
        }
        if (!committed.isVoter(member.self())) {
            member.leader().handOver(committed); // rule 4: C_new committed without us; let a voter lead
        }
    }

    /** This member stopped leading: a change it started may still take effect under the next leader. */
    void leadershipLost() {
        pending.flatMap(change -> change.requestId().isPresent()
                        ? Optional.of(change.requestId().getAsLong())
                        : Optional.<Long>empty())
                .ifPresent(id -> member.outputs()
                        .add(new Output.ReconfigurationCompleted(
                                id, new Output.Abandoned("leadership lost during the configuration change"))));
        pending = Optional.empty();
    }

    /** Whether the log holds an uncommitted configuration entry or a committed J still awaiting its C_new. */
    private boolean changeInFlight() {
        ReplicationLog log = member.log();
        return log.configurationIndex() > member.commitIndex() || log.configuration() instanceof JointConfiguration;
    }

    private void reject(long requestId, RejectReason reason) {
        member.outputs().add(new Output.ReconfigurationCompleted(requestId, new Output.Rejected(reason)));
    }
}
