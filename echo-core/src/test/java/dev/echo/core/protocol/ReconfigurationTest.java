package dev.echo.core.protocol;

import static dev.echo.core.protocol.GroupProtocolTest.A;
import static dev.echo.core.protocol.GroupProtocolTest.ABC;
import static dev.echo.core.protocol.GroupProtocolTest.B;
import static dev.echo.core.protocol.GroupProtocolTest.C;
import static dev.echo.core.protocol.GroupProtocolTest.append;
import static dev.echo.core.protocol.GroupProtocolTest.electA;
import static dev.echo.core.protocol.GroupProtocolTest.entry;
import static dev.echo.core.protocol.GroupProtocolTest.member;
import static dev.echo.core.protocol.GroupProtocolTest.only;
import static dev.echo.core.protocol.GroupProtocolTest.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md §3 (Rule R) at the step level: joint consensus, one change at a time, hand-over, fallback. */
class ReconfigurationTest {
    static final MemberId D = MemberId.of("d");
    static final Configuration ABCD =
            Configuration.ofVoters(List.of(new Voter(A, 1), new Voter(B, 1), new Voter(C, 1), new Voter(D, 1)));
    static final Configuration ABC_LEARNER_D =
            new Configuration(List.of(new Voter(A, 1), new Voter(B, 1), new Voter(C, 1)), new TreeSet<>(List.of(D)));
    static final Configuration BC = Configuration.ofVoters(List.of(new Voter(B, 1), new Voter(C, 1)));
    /** ABC to ABCD: d joins as the lowest-ranked voter. */
    static final MembershipChange ADD_D = new MembershipChange.AddVoter(D, 1);
    /** ABC to BC. */
    static final MembershipChange REMOVE_A = new MembershipChange.Remove(A);

    static Input.ChangeMembership ask(long requestId, MembershipChange change) {
        return new Input.ChangeMembership(requestId, change);
    }

    /** A leads term 1 with its no-op (index 1) committed. */
    static GroupProtocol leaderWithCommittedNoOp() {
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        step(a, new Input.Persisted(2));
        assertEquals(1, a.commitIndex());
        return a;
    }

    static Output.Outcome completion(List<Output> outputs, long requestId) {
        List<Output.ReconfigurationCompleted> done = only(outputs, Output.ReconfigurationCompleted.class);
        assertEquals(1, done.size(), "one completion expected in " + outputs);
        assertEquals(requestId, done.get(0).requestId());
        return done.get(0).outcome();
    }

    @Test
    void noChangeBeforeTheLeadersNoOpCommits() { // rule 2
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        Output.Outcome outcome = completion(step(a, ask(7, ADD_D)), 7);
        assertEquals(new Output.Rejected(RejectReason.CHANGE_IN_PROGRESS), outcome);
        assertEquals(ABC, a.configuration());
    }

    @Test
    void aMemberThatKnowsNoLeaderAsksEveryVoter() { // only the leader changes the configuration
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        List<Output> outputs = step(b, ask(1, ADD_D));
        assertTrue(only(outputs, Output.ReconfigurationCompleted.class).isEmpty(), "waits for the leader's answer");
        Message.MembershipRequest request = new Message.MembershipRequest(B, 0, 1, ADD_D);
        assertTrue(
                only(outputs, Output.Send.class)
                        .containsAll(List.of(new Output.Send(A, request), new Output.Send(C, request))),
                "sent to every other voter: " + outputs);
        assertEquals(ABC, b.configuration());
    }

    /** ABC with d as a learner that has caught up: it acknowledged the leader's committed no-op. */
    static GroupProtocol leaderWithCaughtUpLearnerD() {
        GroupProtocol a = member(A, ABC_LEARNER_D, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        step(a, new Input.Persisted(2));
        step(a, new Input.Receive(new Message.AppendResponse(D, 1, true, 1, 0, 0, 0)));
        assertEquals(1, a.commitIndex());
        return a;
    }

    @Test
    void aNewVoterMustHaveCaughtUp() { // §8: its vote would count before it could give it
        GroupProtocol a = leaderWithCommittedNoOp();
        assertEquals(new Output.Rejected(RejectReason.NOT_CAUGHT_UP), completion(step(a, ask(7, ADD_D)), 7));
        assertEquals(ABC, a.configuration(), "nothing changed");

        GroupProtocol withLearner = member(A, ABC_LEARNER_D, RecoveredState.EMPTY);
        electA(withLearner);
        step(withLearner, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        step(withLearner, new Input.Persisted(2));
        assertEquals(
                new Output.Rejected(RejectReason.NOT_CAUGHT_UP),
                completion(step(withLearner, ask(8, ADD_D)), 8),
                "a learner that has not acknowledged the committed entries is behind");
        step(withLearner, new Input.Receive(new Message.AppendResponse(D, 1, true, 1, 0, 0, 0)));
        step(withLearner, ask(9, ADD_D));
        assertTrue(withLearner.configuration() instanceof JointConfiguration, "caught up: the change starts");
    }

    @Test
    void aVotingChangeGoesThroughAJointConfigurationThenTheNewOne() { // rules 1 and 3
        GroupProtocol a = leaderWithCaughtUpLearnerD();
        List<Output> outputs = step(a, ask(7, ADD_D));
        JointConfiguration joint = new JointConfiguration(ABC_LEARNER_D, ABCD);
        Entry jointEntry = new Entry(2, 1, new Entry.ConfigurationChange(joint));
        assertEquals(joint, a.configuration(), "a log uses its latest configuration entry at once (§2)");
        assertEquals(
                List.of(jointEntry), only(outputs, Output.Persist.class).get(0).entries());
        assertTrue(
                only(outputs, Output.Send.class).stream()
                        .anyMatch(send -> send.to().equals(D)),
                "the new member is replicated to");
        assertTrue(only(outputs, Output.ReconfigurationCompleted.class).isEmpty());

        // J commits (a + b: a quorum of both halves, b's vote breaking the tie in ABCD with top a) ...
        step(a, new Input.Persisted(3));
        outputs = step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 2, 0, 0, 0)));
        assertEquals(2, a.commitIndex());
        // ... and C_new is appended at once.
        Entry newEntry = new Entry(3, 1, new Entry.ConfigurationChange(ABCD));
        assertEquals(
                List.of(newEntry), only(outputs, Output.Persist.class).get(0).entries());
        assertEquals(ABCD, a.configuration());

        step(a, new Input.Persisted(4));
        outputs = step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 3, 0, 0, 0)));
        Output.Committed committed = (Output.Committed) completion(outputs, 7);
        assertEquals(3, committed.index());
    }

    @Test
    void oneChangeAtATime() { // rule 2
        GroupProtocol a = leaderWithCommittedNoOp();
        step(a, ask(1, REMOVE_A));
        Output.Outcome second = completion(step(a, ask(2, ADD_D)), 2);
        assertEquals(new Output.Rejected(RejectReason.CHANGE_IN_PROGRESS), second);
    }

    @Test
    void anImpossibleEditIsInvalidEvenWhileAChangeIsInFlight() { // the answer does not depend on timing
        GroupProtocol a = leaderWithCommittedNoOp();
        step(a, ask(1, REMOVE_A));
        Output.Outcome stranger = completion(step(a, ask(2, new MembershipChange.MakeTop(MemberId.of("x")))), 2);
        assertEquals(new Output.Rejected(RejectReason.INVALID), stranger);
        Output.Outcome possible = completion(step(a, ask(3, ADD_D)), 3);
        assertEquals(new Output.Rejected(RejectReason.CHANGE_IN_PROGRESS), possible, "a possible one waits its turn");
    }

    @Test
    void aTargetWithFewerMembersThanMinCopiesIsRefused() { // it could never commit again
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        a = new GroupProtocol(
                A,
                0,
                ABC,
                ProtocolOptions.defaults().withMinCopies(2),
                RecoveredState.EMPTY,
                new GroupProtocolTest.EchoMachine(),
                42);
        a.drainOutputs();
        electA(a);
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        step(a, new Input.Persisted(2));
        MembershipChange toAAlone =
                new MembershipChange.Together(List.of(new MembershipChange.Remove(B), new MembershipChange.Remove(C)));
        assertEquals(new Output.Rejected(RejectReason.INVALID), completion(step(a, ask(4, toAAlone)), 4));
    }

    @Test
    void aLearnerOnlyChangeIsOnePlainEntry() { // rule 1: learners do not change quorums
        GroupProtocol a = leaderWithCommittedNoOp();
        Configuration withLearner = new Configuration(ABC.voters(), new TreeSet<>(List.of(D)));
        List<Output> outputs = step(a, ask(3, new MembershipChange.AddLearner(D)));
        assertEquals(
                List.of(new Entry(2, 1, new Entry.ConfigurationChange(withLearner))),
                only(outputs, Output.Persist.class).get(0).entries());
        assertEquals(withLearner, a.configuration());
    }

    @Test
    void aLeaderOutsideTheNewConfigurationHandsOverAndStepsDown() { // rule 4
        GroupProtocol a = leaderWithCommittedNoOp();
        step(a, ask(9, REMOVE_A));
        step(a, new Input.Persisted(3));
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 2, 0, 0, 0))); // J committed, C_new at 3
        assertEquals(BC, a.configuration());
        step(a, new Input.Persisted(4));
        List<Output> outputs = step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 3, 0, 0, 0)));
        assertEquals(3, a.commitIndex(), "C_new commits with b alone: the top of {b, c} breaks the tie");
        assertTrue(
                only(outputs, Output.Send.class).contains(new Output.Send(B, new Message.TimeoutNow(A, 1))),
                "hands leadership to the most up-to-date voter: " + outputs);
        assertEquals(Role.FOLLOWER, a.role());
        assertEquals(MemberStatus.NOT_MEMBER, a.status());
        assertTrue(completion(outputs, 9) instanceof Output.Committed);
    }

    @Test
    void aTruncatedConfigurationEntryFallsBackToThePreviousOne() { // §2
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        Entry joint = new Entry(2, 1, new Entry.ConfigurationChange(new JointConfiguration(ABC, ABCD)));
        step(b, new Input.Receive(append(A, 1, 0, 0, List.of(entry(1, 1), joint), 0)));
        assertEquals(new JointConfiguration(ABC, ABCD), b.configuration());
        // A new leader of term 2 never had the joint entry: its entry 2 replaces it.
        step(b, new Input.Receive(append(C, 2, 1, 1, List.of(entry(2, 2)), 0)));
        assertEquals(ABC, b.configuration());
    }

    @Test
    void aMemberRemovedOnlyByAnUncommittedEntryStillCampaigns() { // found by the simulator (seed 178)
        Configuration ab = Configuration.ofVoters(List.of(new Voter(A, 1), new Voter(B, 1)));
        List<Entry> log = List.of(
                entry(1, 1),
                new Entry(2, 1, new Entry.ConfigurationChange(new JointConfiguration(ABC, ab))),
                new Entry(3, 1, new Entry.ConfigurationChange(ab)));
        GroupProtocol c = member(C, ABC, new RecoveredState(new HardState(1, Optional.empty()), log));
        assertEquals(MemberStatus.NOT_MEMBER, c.status());
        List<Output> outputs = GroupProtocolTest.tickUntilPreVote(c);
        assertEquals(
                List.of(
                        new Output.Send(A, new Message.PreVoteRequest(C, 2, 3, 1)),
                        new Output.Send(B, new Message.PreVoteRequest(C, 2, 3, 1))),
                only(outputs, Output.Send.class),
                "it may be the vote the others need to finish the change");
    }

    @Test
    void aStrangerChangesNoDurableState() { // PROTOCOL.md §10: one forged TimeoutNow once left a group leaderless
        MemberId intruder = MemberId.of("intruder");
        List<Entry> log = List.of(entry(1, 1), entry(2, 1), entry(3, 1));
        GroupProtocol b = member(B, ABC, new RecoveredState(new HardState(1, Optional.empty()), log));
        long huge = Domains.LIMIT - 1;
        List<Message> forged = List.of(
                new Message.TimeoutNow(intruder, huge),
                new Message.VoteRequest(intruder, huge, 3, 1, true),
                new Message.PreVoteRequest(intruder, huge, 3, 1),
                append(intruder, huge, 0, 0, List.of(entry(1, huge)), 1),
                new Message.MembershipRequest(intruder, huge, 1, new MembershipChange.Remove(A)));
        for (boolean authenticated : List.of(false, true)) {
            for (Message message : forged) {
                List<Output> outputs = step(b, new Input.Receive(message, 0, authenticated));
                assertTrue(outputs.isEmpty(), message + " changed something: " + outputs);
            }
        }
        assertEquals(1, b.term());
        assertEquals(3, b.log().lastIndex());
        assertEquals(10, b.counters().get(ProtocolCounters.Counter.UNKNOWN_SENDER));
        // Unauthenticated, not even a candidate whose log is ahead is answered.
        assertTrue(step(b, new Input.Receive(new Message.PreVoteRequest(intruder, 2, 9, 1), 0, false))
                .isEmpty());
    }

    @Test
    void anAuthenticatedStrangerIsAnsweredOnlyWhenItsLogIsAhead() { // simulator seeds 73, 638, 791, 938
        MemberId e = MemberId.of("e");
        List<Entry> log = List.of(entry(1, 1), entry(2, 1), entry(3, 1));
        GroupProtocol b = member(B, ABC, new RecoveredState(new HardState(1, Optional.empty()), log));
        assertTrue(
                step(b, new Input.Receive(new Message.PreVoteRequest(e, 2, 3, 1)))
                        .isEmpty(),
                "a stranger that knows no more than this member is ignored (a removed member cannot disrupt)");
        assertTrue(step(b, new Input.Receive(new Message.VoteRequest(e, 2, 2, 1, false)))
                .isEmpty());
        // A longer log may hold a configuration that added b and needs b's vote.
        assertEquals(
                List.of(new Output.Send(e, new Message.PreVoteResponse(B, 2, true))),
                only(step(b, new Input.Receive(new Message.PreVoteRequest(e, 2, 4, 1))), Output.Send.class));
    }

    @Test
    void aMemberWaitingToJoinFollowsOnlyAnAuthenticatedLeader() { // §10: the one exception for strangers
        MemberId e = MemberId.of("e");
        GroupProtocol d = member(D, ABC, RecoveredState.EMPTY); // outside its configuration: waiting to be added
        Message.AppendRequest fromE = append(e, 4, 0, 0, List.of(entry(1, 4)), 0);
        assertTrue(step(d, new Input.Receive(fromE, 0, false)).isEmpty(), "unauthenticated: refused");
        assertEquals(0, d.term());
        step(d, new Input.Receive(fromE, 0, true));
        assertEquals(4, d.term());
        assertEquals(Optional.of(e), d.leaderId());
        assertEquals(1, d.log().lastIndex());
    }

    /**
     * §10: a voter whose log lacks the entry that added the leader follows that authenticated leader in a higher term,
     * by a bounded step. Waiting until a known member told it the term left groups stuck for good when every member it
     * knew was removed or as stale as itself (protocol simulator, seeds 453104 and 453159).
     */
    @Test
    void aLaggingVoterFollowsALeaderItDoesNotKnowByABoundedStep() {
        MemberId e = MemberId.of("e"); // added by an entry b never received
        List<Entry> log = List.of(entry(1, 1), entry(2, 1), entry(3, 1));
        GroupProtocol b = member(B, ABC, new RecoveredState(new HardState(1, Optional.empty()), log));
        long tooFar = 1 + Admission.MAX_TERM_STEP_FROM_A_NON_VOTER + 1;
        Message.AppendRequest beyondTheStep = append(e, tooFar, 3, 1, List.of(entry(4, tooFar)), 0);
        assertTrue(step(b, new Input.Receive(beyondTheStep)).isEmpty(), "a step beyond the bound is refused");
        assertEquals(1, b.term());
        assertTrue(
                step(b, new Input.Receive(append(e, 3, 3, 1, List.of(entry(4, 3)), 0), 0, false))
                        .isEmpty(),
                "unauthenticated: refused");
        assertEquals(1, b.term());
        step(b, new Input.Receive(append(e, 3, 3, 1, List.of(entry(4, 3)), 0)));
        assertEquals(3, b.term());
        assertEquals(Optional.of(e), b.leaderId());
        assertEquals(4, b.log().lastIndex());
    }

    @Test
    void theLeadersPolicyMayApproveWhatANonVoterAsks() { // PROTOCOL.md §8: "or approval by an application hook"
        MemberId learner = MemberId.of("l");
        GroupProtocol a = member(A, ABC.withLearner(learner), RecoveredState.EMPTY);
        List<String> asked = new java.util.ArrayList<>();
        a.approveMembershipWith((asker, current, target) -> {
            asked.add(asker + ": " + current.voters().size() + " -> "
                    + target.voters().size());
            return !target.isVoter(B); // this policy lets anyone remove b, and nothing else
        });
        electA(a);
        step(a, new Input.Persisted(2));
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0))); // the no-op commits

        List<Output> refused = step(
                a, new Input.Receive(new Message.MembershipRequest(learner, 1, 7, new MembershipChange.MakeTop(C))));
        assertEquals(
                List.of(new Output.Send(
                        learner, new Message.MembershipResponse(A, 1, 7, Message.MembershipResult.UNAUTHORISED, 0))),
                only(refused, Output.Send.class));
        step(a, new Input.Receive(new Message.MembershipRequest(learner, 1, 8, new MembershipChange.Remove(B))));
        assertTrue(
                a.configuration() instanceof JointConfiguration joint
                        && !joint.next().isVoter(B),
                "approved");
        assertEquals(List.of("l: 3 -> 3", "l: 3 -> 2"), asked, "asked about the non-voter's requests only");
    }

    @Test
    void onlyVotersMayChangeOthersMembership() { // PROTOCOL.md §10: a non-voter may only add itself or leave
        MemberId learner = MemberId.of("l");
        MemberId stranger = MemberId.of("s");
        GroupProtocol a = member(A, ABC.withLearner(learner), RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Persisted(2));
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0))); // the no-op commits
        for (MembershipChange change : List.of(
                new MembershipChange.AddVoter(learner, 1),
                new MembershipChange.Remove(B),
                new MembershipChange.MakeTop(learner))) {
            List<Output> outputs = step(a, new Input.Receive(new Message.MembershipRequest(learner, 1, 7, change)));
            assertEquals(
                    List.of(new Output.Send(
                            learner,
                            new Message.MembershipResponse(A, 1, 7, Message.MembershipResult.UNAUTHORISED, 0))),
                    only(outputs, Output.Send.class),
                    change.toString());
        }
        // A stranger may ask to join as a learner: the leader appends the change.
        List<Output> joining = step(
                a,
                new Input.Receive(
                        new Message.MembershipRequest(stranger, 0, 8, new MembershipChange.AddLearner(stranger))));
        assertTrue(a.configuration().members().contains(stranger), "the learner was added: " + joining);
    }

    /**
     * PROTOCOL.md §8: a new machine asks the voters it was given as seeds. A seed that follows a leader passes exactly
     * that join on, as its own request, so the machine joins even when no seed leads any more; it relays nothing else.
     */
    @Test
    void aFollowingVoterRelaysANewMachinesJoinToItsLeader() {
        MemberId stranger = MemberId.of("s");
        MembershipChange join = new MembershipChange.AddLearner(
                stranger, Optional.of(MemberAddress.of(PeerAddress.parse("10.0.0.9:7001"))));
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        step(b, new Input.Receive(append(A, 1, 0, 0, List.of(), 0))); // b follows a in term 1
        step(b, new Input.Persisted(1)); // its term is durable: it may speak in it
        List<Output> relayed = step(b, new Input.Receive(new Message.MembershipRequest(stranger, 0, 8, join)));
        assertEquals(
                List.of(new Output.Send(A, new Message.MembershipRequest(B, 1, -1, join))),
                only(relayed, Output.Send.class),
                "relayed to the leader under a relay id, and no answer to the machine yet");
        List<Output> answered = step(
                b, new Input.Receive(new Message.MembershipResponse(A, 1, -1, Message.MembershipResult.COMMITTED, 2)));
        assertTrue(
                only(answered, Output.ReconfigurationCompleted.class).isEmpty(),
                "the leader's answer to a relay completes none of b's own requests");

        MemberId other = MemberId.of("o");
        List<Output> notItself = step(
                b,
                new Input.Receive(
                        new Message.MembershipRequest(stranger, 0, 9, new MembershipChange.AddLearner(other))));
        assertTrue(only(notItself, Output.Send.class).isEmpty(), "a stranger's request about another is refused");
        // Without an address the edit would demote the machine were it a voter by the time the relay arrives
        // (promoted in between): it is not relayed, and the machine hears NOT_LEADER as from any non-leader.
        assertEquals(
                List.of(new Output.Send(
                        stranger, new Message.MembershipResponse(B, 1, 10, Message.MembershipResult.NOT_LEADER, 0))),
                only(
                        step(
                                b,
                                new Input.Receive(new Message.MembershipRequest(
                                        stranger, 0, 10, new MembershipChange.AddLearner(stranger)))),
                        Output.Send.class),
                "a join without an address is not relayed");

        MemberId learner = MemberId.of("l");
        GroupProtocol l = member(learner, ABC.withLearner(learner), RecoveredState.EMPTY);
        step(l, new Input.Receive(append(A, 1, 0, 0, List.of(), 0)));
        step(l, new Input.Persisted(1));
        assertEquals(
                List.of(new Output.Send(
                        stranger,
                        new Message.MembershipResponse(learner, 1, 8, Message.MembershipResult.NOT_LEADER, 0))),
                only(
                        step(l, new Input.Receive(new Message.MembershipRequest(stranger, 0, 8, join))),
                        Output.Send.class),
                "a learner relays nothing: its request would not be authorised");
    }

    /**
     * PROTOCOL.md §8: a new machine asks every voter, and a follower relays its join. When the relay reaches the leader
     * first, the machine's own request arrives during the change that adds it: it is told that change's outcome, not
     * CHANGE_IN_PROGRESS (a real-thread test failed on this once in CI).
     */
    @Test
    void aRequestForTheChangeUnderWayIsToldItsOutcome() {
        MemberId stranger = MemberId.of("s");
        MembershipChange join = new MembershipChange.AddLearner(stranger);
        GroupProtocol a = leaderWithCommittedNoOp();
        List<Output> relayed = step(a, new Input.Receive(new Message.MembershipRequest(B, 1, -1, join)));
        assertTrue(
                only(relayed, Output.Send.class).stream()
                        .noneMatch(send -> send.message() instanceof Message.MembershipResponse),
                "the relayed join starts the change: no answer yet");
        List<Output> direct = step(a, new Input.Receive(new Message.MembershipRequest(stranger, 0, 8, join)));
        assertTrue(
                only(direct, Output.Send.class).stream()
                        .noneMatch(send -> send.message() instanceof Message.MembershipResponse),
                "the machine's own request waits for the change under way: " + direct);

        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 2, 0, 0, 0)));
        List<Output> committed = step(a, new Input.Persisted(3));
        List<Message> answers = only(committed, Output.Send.class).stream()
                .map(Output.Send::message)
                .filter(message -> message instanceof Message.MembershipResponse)
                .toList();
        assertEquals(
                List.of(
                        new Message.MembershipResponse(A, 1, -1, Message.MembershipResult.COMMITTED, 2),
                        new Message.MembershipResponse(A, 1, 8, Message.MembershipResult.COMMITTED, 2)),
                answers,
                "both asked for the change; both hear it committed");
    }

    /**
     * PROTOCOL.md §8: a machine whose join entry reached it but is not committed follows the leader that sent it, yet
     * asks every voter it knows: that leader may lose its place before the entry commits, and then nobody brings this
     * machine news again (whole-node simulator, seed 174).
     */
    @Test
    void aJoiningMachineAsksEveryVoterEvenWhileItFollowsALeader() {
        GroupProtocol d = member(D, ABC, RecoveredState.EMPTY);
        Entry addsD = new Entry(1, 1, new Entry.ConfigurationChange(ABC_LEARNER_D));
        step(d, new Input.Receive(append(A, 1, 0, 0, List.of(addsD), 0))); // not committed yet
        step(d, new Input.Persisted(1));
        assertEquals(MemberStatus.FOLLOWER, d.status(), "it follows a, which sent the entry adding it");
        MembershipChange join = new MembershipChange.AddLearner(D);
        List<Output.Send> sent = only(step(d, ask(3, join)), Output.Send.class);
        Message.MembershipRequest request = new Message.MembershipRequest(D, 1, 3, join);
        assertTrue(
                sent.containsAll(
                        List.of(new Output.Send(A, request), new Output.Send(B, request), new Output.Send(C, request))),
                "asked every voter, not only its leader: " + sent);
    }

    @Test
    void aMemberOutsideTheBootstrapConfigurationWaitsAsNotMember() {
        GroupProtocol d = member(D, ABC, RecoveredState.EMPTY);
        assertEquals(MemberStatus.NOT_MEMBER, d.status());
        for (int i = 0; i < 100; i++) {
            assertTrue(only(step(d, new Input.Tick()), Output.Send.class).isEmpty(), "a non-member campaigned");
        }
        // Once a log entry adds it, it is a member.
        Entry joint = new Entry(1, 1, new Entry.ConfigurationChange(new JointConfiguration(ABC, ABCD)));
        step(d, new Input.Receive(append(A, 1, 0, 0, List.of(joint), 0)));
        assertEquals(MemberStatus.FOLLOWER, d.status());
    }
}
