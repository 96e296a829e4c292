package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The leader's side of configuration changes (PROTOCOL.md §3, Rule R): every voting change goes through a joint
 * configuration J(old, new) and then C_new; one change at a time, only once the leader has committed an entry of its
 * own term; a committed J is followed at once by C_new; a leader outside C_new hands over and steps down once C_new
 * commits. Learner-only changes are a single entry (quorums do not change). A configuration entry takes effect as
 * soon as it is in the log; the leader's replication starts using it at the end of the step.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class Reconfiguration {
    /** Most membership requests this member waits on at once; beyond it the oldest is given up (abandoned). */
    private static final int MAX_FORWARDED = 1024;

    private final MemberState state;
    private final Outbox outbox;
    private final Predicate<MemberId> caughtUp;
    private MembershipApproval approval = MembershipApproval.NONE;
    /** The change this leader is driving, if any: who asked and where it goes. */
    private Optional<Pending> pending = Optional.empty();
    /** This member's own requests sent away, by id: true if sent to every voter (no leader known), else to one. */
    private final TreeMap<Long, Boolean> forwarded = new TreeMap<>();
    /**
     * Ids of joins this voter relays to its leader, counting down from -1 so they never meet the application's ids
     * (which count up from 0): the leader's answers to them match nothing in {@link #forwarded} and are dropped.
     */
    private long nextRelayId = -1;

    /** Who asked: the application at this member ({@code remote} empty) or another member. */
    private record Requester(Optional<MemberId> remote, long requestId) {}

    /**
     * A change in progress and everyone to tell its outcome: none for the leader's own dynamic-voting changes (§7),
     * more than one when others asked for exactly this change while it was under way.
     */
    private record Pending(List<Requester> requesters, Configuration target) {
        Pending with(Requester another) {
            if (requesters.contains(another)) {
                return this; // the same request again: one answer
            }
            List<Requester> all = new ArrayList<>(requesters);
            all.add(another);
            return new Pending(List.copyOf(all), target);
        }
    }

    /**
     * @param caughtUp at the leader, whether a member has caught up with its log: only such a member may become a
     *     voter at the application's request (PROTOCOL.md §8)
     */
    Reconfiguration(MemberState state, Outbox outbox, Predicate<MemberId> caughtUp) {
        this.state = state;
        this.outbox = outbox;
        this.caughtUp = caughtUp;
    }

    /**
     * The application's edit at this member: applied here if this member leads, else sent to the leader it follows,
     * or to every voter it knows when it follows none or is outside its committed configuration (a machine waiting
     * to be added).
     */
    void requestChange(long requestId, MembershipChange change) {
        if (state.isLeader()) {
            applyEdit(new Requester(Optional.empty(), requestId), change);
            return;
        }
        if (forwarded.size() >= MAX_FORWARDED) {
            abandoned(forwarded.pollFirstEntry().getKey()); // callers number requests upward: lowest is oldest
        }
        // A member outside its committed configuration (a machine joining) asks every voter it knows even when it
        // follows a leader: that leader may have lost its place since (replaced, or the entry adding this member
        // never committed), and no one else brings such a member news (PROTOCOL.md §8).
        boolean joining =
                !state.log.configurationAt(state.commitIndex).members().contains(state.self);
        boolean toEveryVoter = state.leaderId.isEmpty() || joining;
        forwarded.put(requestId, toEveryVoter);
        Message.MembershipRequest message = new Message.MembershipRequest(state.self, state.term, requestId, change);
        if (toEveryVoter) {
            outbox.broadcastToVoters(message);
        } else {
            outbox.send(state.leaderId.get(), message);
        }
    }

    /** The leader's application approves what a non-voter may not ask for on its own (§8, §10). */
    void approveWith(MembershipApproval value) {
        approval = Objects.requireNonNull(value, "approval");
    }

    /** Another member's edit. */
    void onRequest(Message.MembershipRequest request) {
        Requester requester = new Requester(Optional.of(request.from()), request.requestId());
        if (!state.isLeader()) {
            if (relaysJoin(request)) {
                outbox.send(
                        state.leaderId.get(),
                        new Message.MembershipRequest(state.self, state.term, nextRelayId--, request.change()));
                return;
            }
            reply(requester, new Output.Rejected(RejectReason.NOT_LEADER));
            return;
        }
        if (!authorised(request)) {
            reply(requester, new Output.Rejected(RejectReason.UNAUTHORISED));
            return;
        }
        applyEdit(requester, request.change());
    }

    /**
     * Who may change the membership (PROTOCOL.md §8, §10): a voter of the configuration in force may ask for any edit,
     * and this leader's own application for any (it calls in through {@link #requestChange}). Any other peer may only
     * ask about itself: to join as a learner, or to leave. Promotion, removal of others, re-weighting, replacement
     * and moving to the top need a voter's request, or the approval of the leader's application. (A stranger's other
     * requests never get here: {@code Admission} refuses them at the door.)
     */
    /**
     * Whether this follower passes a new machine's join on to its leader (PROTOCOL.md §8). The machine asks the
     * voters it was given as seeds, knowing no leader; when none of them leads any more (replaced, or the leader is a
     * machine added since), only a relay gets the request there. A voter may ask for any edit, so relaying grants
     * nothing the machine could not ask for itself: it relays exactly a stranger's {@code AddLearner} of itself at an
     * address, and nothing else. The machine learns the outcome from the leader's appends, as after a direct request.
     * Only a join at an address: that edit never demotes, so a relay that reaches the leader after the machine was
     * added and promoted changes nothing. Without an address the edit demotes a voter, and a late relay, carrying
     * this voter's authority, would undo the promotion; such a join goes to the leader directly or not at all.
     */
    private boolean relaysJoin(Message.MembershipRequest request) {
        return state.leaderId.isPresent()
                && state.configuration().isVoter(state.self)
                && !state.members().contains(request.from())
                && request.change() instanceof MembershipChange.AddLearner join
                && join.address().isPresent()
                && join.onlyAbout(request.from());
    }

    private boolean authorised(Message.MembershipRequest request) {
        return request.change().onlyAbout(request.from())
                || state.configuration().isVoter(request.from())
                || approved(request);
    }

    private boolean approved(Message.MembershipRequest request) {
        if (approval == MembershipApproval.NONE || !(state.configuration() instanceof Configuration current)) {
            return false;
        }
        try {
            return approval.approves(request.from(), current, request.change().applyTo(current));
        } catch (IllegalArgumentException impossible) {
            return false; // an edit that cannot be made is not approved; nothing to ask
        }
    }

    /** The leader's answer to one of this member's requests. */
    void onResponse(Message.MembershipResponse response) {
        Boolean toEveryVoter = forwarded.get(response.requestId());
        if (toEveryVoter == null || toEveryVoter && response.result() == Message.MembershipResult.NOT_LEADER) {
            return; // asked every voter: only the leader's answer counts; the caller's timeout covers no leader
        }
        forwarded.remove(response.requestId());
        Output.Outcome outcome =
                switch (response.result()) {
                    case COMMITTED -> new Output.Committed(response.index(), new byte[0], false);
                    case NOT_LEADER -> new Output.Rejected(RejectReason.NOT_LEADER);
                    case CHANGE_IN_PROGRESS -> new Output.Rejected(RejectReason.CHANGE_IN_PROGRESS);
                    case INVALID -> new Output.Rejected(RejectReason.INVALID);
                    case UNAUTHORISED -> new Output.Rejected(RejectReason.UNAUTHORISED);
                    case NOT_CAUGHT_UP -> new Output.Rejected(RejectReason.NOT_CAUGHT_UP);
                    case ABANDONED -> new Output.Abandoned("leadership was lost during the configuration change");
                };
        outbox.add(new Output.ReconfigurationCompleted(response.requestId(), outcome));
    }

    /** The leader this member sent its requests to is no longer its leader: their outcome is unknown. */
    void leaderChanged() {
        for (long requestId : forwarded.keySet()) {
            abandoned(requestId);
        }
        forwarded.clear();
    }

    private void abandoned(long requestId) {
        outbox.add(new Output.ReconfigurationCompleted(
                requestId, new Output.Abandoned("the leader changed before answering; outcome unknown")));
    }

    private void applyEdit(Requester requester, MembershipChange change) {
        if (joinedPendingChange(requester, change)) {
            return;
        }
        // An edit that cannot apply to the newest configuration (a stranger to make top, say) is INVALID whatever
        // is in flight: a wrong request gets the same answer at any moment, not CHANGE_IN_PROGRESS by timing.
        QuorumSystem newest = state.configuration();
        Configuration latest = newest instanceof JointConfiguration joint ? joint.next() : (Configuration) newest;
        Configuration target;
        try {
            target = change.applyTo(latest);
        } catch (IllegalArgumentException invalid) {
            reply(requester, new Output.Rejected(RejectReason.INVALID));
            return;
        }
        if (!(newest instanceof Configuration current) || changeInFlight()) {
            reply(requester, new Output.Rejected(RejectReason.CHANGE_IN_PROGRESS));
            return;
        }
        if (target.equals(current) && state.commitIndex >= state.log.configurationIndex()) {
            // Already so (a retried request, say): nothing to change, and the configuration is committed.
            reply(requester, new Output.Committed(state.log.configurationIndex(), new byte[0], false));
            return;
        }
        start(requester, target);
    }

    /**
     * A request for exactly the change already under way is told that change's outcome instead of being refused. A new
     * machine asks every voter it knows (PROTOCOL.md §8) and following voters relay its join: whichever copy reaches
     * the leader first starts the change, and the machine's own request, arriving second, would otherwise be answered
     * CHANGE_IN_PROGRESS for the very change that is adding it.
     */
    private boolean joinedPendingChange(Requester requester, MembershipChange change) {
        if (pending.isEmpty()) {
            return false;
        }
        Configuration target = pending.get().target();
        try {
            if (!change.applyTo(target).equals(target)) {
                return false;
            }
        } catch (IllegalArgumentException notThisChange) {
            return false;
        }
        pending = Optional.of(pending.get().with(requester));
        return true;
    }

    private void start(Requester requester, Configuration target) {
        if (!state.isLeader()) {
            reply(requester, new Output.Rejected(RejectReason.NOT_LEADER));
            return;
        }
        if (!idle()) {
            reply(requester, new Output.Rejected(RejectReason.CHANGE_IN_PROGRESS)); // rule 2
            return;
        }
        Configuration now = (Configuration) state.configuration(); // no change in flight: a plain configuration
        if (!worthProposing(now, target)) {
            reply(requester, new Output.Rejected(RejectReason.INVALID));
            return;
        }
        if (!newVotersCaughtUp(now, target)) {
            reply(requester, new Output.Rejected(RejectReason.NOT_CAUGHT_UP));
            return;
        }
        begin(List.of(requester), now, target);
    }

    /** Whether the leader could start a change now: none pending, its no-op committed, nothing in flight. */
    boolean idle() {
        return state.isLeader() && pending.isEmpty() && state.ownTermCommitted() && !changeInFlight();
    }

    /** The leader's own change (dynamic voting, §7); the caller checked {@link #idle()}. */
    void propose(Configuration target) {
        MemberState.check(idle(), "rule 2: one configuration change at a time");
        Configuration now = (Configuration) state.configuration();
        if (worthProposing(now, target)) {
            begin(List.of(), now, target);
        }
    }

    /**
     * Appends {@code joint}'s old half after it, cancelling the change (PROTOCOL.md §3, rollback). J → old is adjacent:
     * every quorum of J is a quorum of old. The leader's caller checked that J is its own and uncommitted. A requester
     * is told the change was abandoned: until the rollback commits, a later leader may still finish J.
     */
    void rollBack(JointConfiguration joint) {
        MemberState.check(state.log.configurationIndex() > state.commitIndex, "only an uncommitted J is rolled back");
        pending.ifPresent(change -> change.requesters()
                .forEach(r -> reply(
                        r,
                        new Output.Abandoned(
                                "rolled back: the new configuration lost its quorum before it committed"))));
        pending = Optional.of(new Pending(List.of(), joint.old()));
        state.counters.increment(ProtocolCounters.Counter.CHANGE_ROLLED_BACK);
        appendConfiguration(joint.old());
    }

    /**
     * A change must change something and keep at least {@code minCopies} members: with fewer the group could never
     * commit again, not even a change that adds some back.
     */
    private boolean worthProposing(Configuration now, Configuration target) {
        return !now.equals(target) && target.members().size() >= state.options.minCopies();
    }

    /**
     * Whether every member {@code target} makes a voter has caught up (PROTOCOL.md §8): in the new half of the joint
     * configuration it counts at once, so a member far behind (or one never heard) would stall every commit until it
     * caught up, or for good if it never runs. Dynamic voting re-admits only caught-up voters by its own rule (§7).
     */
    private boolean newVotersCaughtUp(Configuration now, Configuration target) {
        for (Voter voter : target.voters()) {
            if (!now.isVoter(voter.id()) && !voter.id().equals(state.self) && !caughtUp.test(voter.id())) {
                return false;
            }
        }
        return true;
    }

    private void begin(List<Requester> requesters, Configuration now, Configuration proposed) {
        // Voters it adds count as the incarnation the leader hears from them (PROTOCOL.md §5).
        Configuration target = proposed.stampingNewVoters(now, state::incarnationOf);
        pending = Optional.of(new Pending(requesters, target));
        boolean votingChange = !now.voters().equals(target.voters());
        if (votingChange && state.rules.jointConsensusForVotingChanges()) {
            appendConfiguration(new JointConfiguration(now, target)); // rule 1
        } else {
            appendConfiguration(target);
        }
    }

    /**
     * Appends a configuration entry: in force at once (PROTOCOL.md §2); the leader replicates it, and commits it if it
     * alone can, at the end of the step.
     */
    private void appendConfiguration(QuorumSystem configuration) {
        outbox.appendAsLeader(new Entry.ConfigurationChange(configuration));
    }

    /**
     * The commit index advanced at the leader: continue or finish the change in progress.
     *
     * @return the committed configuration when it leaves this leader out (rule 4): the caller hands leadership to one
     *     of its voters and steps down
     */
    Optional<Configuration> commitAdvanced() {
        ReplicationLog log = state.log;
        if (log.configurationIndex() > state.commitIndex || !state.ownTermCommitted()) {
            return Optional.empty(); // the latest configuration entry is not committed yet
        }
        QuorumSystem current = log.configuration();
        if (current instanceof JointConfiguration joint) {
            appendConfiguration(joint.next()); // rule 3: C_new at once
            return Optional.empty();
        }
        Configuration committed = (Configuration) current;
        if (pending.isPresent() && pending.get().target().equals(committed)) {
            long index = log.configurationIndex();
            pending.get().requesters().forEach(r -> reply(r, new Output.Committed(index, new byte[0], false)));
            pending = Optional.empty();
        }
        return committed.isVoter(state.self) ? Optional.empty() : Optional.of(committed);
    }

    /** This member stopped leading: a change it started may still take effect under the next leader. */
    void leadershipLost() {
        pending.ifPresent(change -> change.requesters()
                .forEach(r -> reply(r, new Output.Abandoned("leadership lost during the configuration change"))));
        pending = Optional.empty();
    }

    /** Whether the log holds an uncommitted configuration entry or a committed J still awaiting its C_new. */
    private boolean changeInFlight() {
        ReplicationLog log = state.log;
        return log.configurationIndex() > state.commitIndex || log.configuration() instanceof JointConfiguration;
    }

    /** Answers the application here with an output, or another member with a message. */
    private void reply(Requester requester, Output.Outcome outcome) {
        if (requester.remote().isEmpty()) {
            outbox.add(new Output.ReconfigurationCompleted(requester.requestId(), outcome));
            return;
        }
        Message.MembershipResult result;
        long index = 0;
        if (outcome instanceof Output.Committed committed) {
            result = Message.MembershipResult.COMMITTED;
            index = committed.index();
        } else if (outcome instanceof Output.Rejected rejected) {
            result = switch (rejected.reason()) {
                case NOT_LEADER -> Message.MembershipResult.NOT_LEADER;
                case CHANGE_IN_PROGRESS -> Message.MembershipResult.CHANGE_IN_PROGRESS;
                case UNAUTHORISED -> Message.MembershipResult.UNAUTHORISED;
                case NOT_CAUGHT_UP -> Message.MembershipResult.NOT_CAUGHT_UP;
                default -> Message.MembershipResult.INVALID;
            };
        } else {
            result = Message.MembershipResult.ABANDONED;
        }
        outbox.send(
                requester.remote().get(),
                new Message.MembershipResponse(state.self, state.term, requester.requestId(), result, index));
    }
}
