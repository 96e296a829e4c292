package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.StateMachine;
import dev.echo.core.protocol.ProtocolCounters.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Step-level tests in the openraft style: build a state, step one input, assert the exact outputs. Section numbers
 * refer to PROTOCOL.md.
 */
class GroupProtocolTest {
    static final MemberId A = MemberId.of("a");
    static final MemberId B = MemberId.of("b");
    static final MemberId C = MemberId.of("c");
    static final Configuration ABC = Configuration.ofVoters(List.of(new Voter(A, 1), new Voter(B, 1), new Voter(C, 1)));
    static final ProtocolOptions OPTIONS = ProtocolOptions.defaults();

    /** Echoes each command; counts applications. */
    static final class EchoMachine implements StateMachine {
        int applied;

        @Override
        public byte[] apply(long index, byte[] command) {
            applied++;
            return command;
        }

        @Override
        public byte[] query(byte[] query) {
            return query;
        }
    }

    static GroupProtocol member(MemberId id, Configuration configuration, RecoveredState recovered) {
        GroupProtocol member = new GroupProtocol(id, 0, configuration, OPTIONS, recovered, new EchoMachine(), 42);
        member.drainOutputs(); // the initial status report
        return member;
    }

    static List<Output> step(GroupProtocol member, Input input) {
        member.step(input);
        return member.drainOutputs();
    }

    static Entry entry(long index, long term) {
        return new Entry(index, term, new Entry.NoOp());
    }

    static Message.AppendRequest append(
            MemberId from, long term, long prevIndex, long prevTerm, List<Entry> entries, long commit) {
        return new Message.AppendRequest(from, term, prevIndex, prevTerm, entries, commit, 0);
    }

    static <T> List<T> only(List<Output> outputs, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Output output : outputs) {
            if (type.isInstance(output)) {
                found.add(type.cast(output));
            }
        }
        return found;
    }

    /** Ticks {@code member} until it starts a pre-vote; returns that step's outputs. */
    static List<Output> tickUntilPreVote(GroupProtocol member) {
        for (int i = 0; i < OPTIONS.electionTimeoutMaxTicks(); i++) {
            List<Output> outputs = step(member, new Input.Tick());
            if (!only(outputs, Output.Send.class).isEmpty()) {
                return outputs;
            }
        }
        throw new AssertionError("no pre-vote within the maximum election timeout");
    }

    /** Drives {@code a} to leader of term 1 with b's vote; returns the outputs of becoming leader. */
    static List<Output> electA(GroupProtocol a) {
        tickUntilPreVote(a);
        step(a, new Input.Receive(new Message.PreVoteResponse(B, 1, true)));
        step(a, new Input.Persisted(1));
        return step(a, new Input.Receive(new Message.VoteResponse(B, 1, true)));
    }

    @Test
    void timeoutStartsPreVoteWithoutChangingTermOrWritingAnything() { // §6 pre-vote
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        List<Output> outputs = tickUntilPreVote(a);
        assertEquals(
                List.of(
                        new Output.Send(B, new Message.PreVoteRequest(A, 1, 0, 0)),
                        new Output.Send(C, new Message.PreVoteRequest(A, 1, 0, 0))),
                outputs);
        assertEquals(0, a.term());
        assertEquals(Role.PRE_CANDIDATE, a.role());
    }

    /**
     * PROTOCOL.md §6, §10: a pre-vote asks the voters only, and a learner's answer neither counts nor raises the term:
     * a learner raises a term only as the leader it may have become, by its appends.
     */
    @Test
    void aPreVoteAsksVotersOnlyAndALearnersAnswerChangesNothing() {
        MemberId learner = MemberId.of("l");
        GroupProtocol a = member(A, ABC.withLearner(learner), RecoveredState.EMPTY);
        List<Output> outputs = tickUntilPreVote(a);
        Message.PreVoteRequest request = new Message.PreVoteRequest(A, 1, 0, 0);
        assertEquals(
                List.of(new Output.Send(B, request), new Output.Send(C, request)), only(outputs, Output.Send.class));
        step(a, new Input.Receive(new Message.PreVoteResponse(learner, 1, true)));
        assertEquals(Role.PRE_CANDIDATE, a.role(), "a learner's grant does not count");
        step(a, new Input.Receive(new Message.PreVoteResponse(learner, 7, false)));
        assertEquals(0, a.term(), "a learner's refusal raises no term");
        assertEquals(Role.PRE_CANDIDATE, a.role());
    }

    /**
     * PROTOCOL.md §10: a member removed from the configuration is not heard on pre-votes, for any term: it cannot
     * disrupt the group, and nothing here changes.
     */
    @Test
    void aRemovedMembersPreVoteIsNotHeard() {
        Configuration ab = Configuration.ofVoters(List.of(new Voter(A, 1), new Voter(B, 1)));
        RecoveredState recovered = new RecoveredState(
                new HardState(3, Optional.empty()), List.of(new Entry(1, 1, new Entry.ConfigurationChange(ab))));
        GroupProtocol b = member(B, ABC, recovered);
        assertEquals(ab, b.configuration());
        assertEquals(List.of(), step(b, new Input.Receive(new Message.PreVoteRequest(C, 2, 0, 0))));
        assertEquals(List.of(), step(b, new Input.Receive(new Message.PreVoteRequest(C, 4, 1, 1))));
        assertEquals(2, b.counters().get(Counter.UNKNOWN_SENDER));
        assertEquals(3, b.term());
    }

    @Test
    void voteRequestsWaitUntilTheNewTermIsDurable() { // §5: nothing sent in a term before it is durable
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        tickUntilPreVote(a);
        List<Output> outputs = step(a, new Input.Receive(new Message.PreVoteResponse(B, 1, true)));
        assertEquals(
                List.of(new Output.Persist(1, Optional.of(new HardState(1, Optional.of(A))), 1, List.of())),
                only(outputs, Output.Persist.class));
        assertTrue(only(outputs, Output.Send.class).isEmpty(), "vote requests sent before the term was durable");

        List<Output> released = step(a, new Input.Persisted(1));
        assertEquals(
                List.of(
                        new Output.Send(B, new Message.VoteRequest(A, 1, 0, 0, false)),
                        new Output.Send(C, new Message.VoteRequest(A, 1, 0, 0, false))),
                only(released, Output.Send.class));
    }

    @Test
    void newLeaderAppendsNoOpAndReplicatesIt() { // §6 no-op
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        List<Output> outputs = electA(a);
        Entry noOp = entry(1, 1);
        assertEquals(Role.LEADER, a.role());
        assertEquals(
                List.of(new Output.Persist(2, Optional.empty(), 1, List.of(noOp))),
                only(outputs, Output.Persist.class));
        assertEquals(
                List.of(
                        new Output.Send(B, append(A, 1, 0, 0, List.of(noOp), 0)),
                        new Output.Send(C, append(A, 1, 0, 0, List.of(noOp), 0))),
                only(outputs, Output.Send.class));
    }

    @Test
    void leaderCommitsOnlyWhenAQuorumHoldsTheEntryDurably() { // §4.3, §5: the leader counts itself once durable
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        assertEquals(0, a.commitIndex(), "committed with only b durable");
        step(a, new Input.Persisted(2));
        assertEquals(1, a.commitIndex());
    }

    @Test
    void aStaleRejectionBelowTheMatchIndexResendsNothing() { // §8: duplicates must not multiply the resends
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));

        List<Output> stale = step(a, new Input.Receive(new Message.AppendResponse(B, 1, false, 0, 1, 0, 0)));

        assertEquals(List.of(), only(stale, Output.Send.class), "b holds entry 1: the rejection is out of date");
        List<Output> fresh = step(a, new Input.Receive(new Message.AppendResponse(C, 1, false, 0, 1, 0, 0)));
        assertEquals(1, only(fresh, Output.Send.class).size(), "c never matched: it is probed again");
    }

    /**
     * PROTOCOL.md §5, "Damage the journal cannot see": a follower whose last forced batch was damaged before its SEAL reached the disk
     * recovers without it and without a fault. It then rejects every probe below what it acknowledged; taken as stale
     * for ever, it was never caught up (whole-node simulator, seed 55786). The third such rejection in a row makes the
     * leader forget its acknowledgements and probe from its hint.
     */
    @Test
    void aFollowerThatKeepsRejectingBelowItsMatchIndexLostEntriesAndIsProbedFromItsHint() {
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        Message.AppendResponse lostEverything = new Message.AppendResponse(B, 1, false, 0, 1, 0, 0);

        for (int i = 1; i < Progress.LOST_ACKNOWLEDGED_AFTER; i++) {
            assertEquals(List.of(), only(step(a, new Input.Receive(lostEverything)), Output.Send.class), "stale");
        }
        List<Output> probe = step(a, new Input.Receive(lostEverything));

        List<Output.Send> sends = only(probe, Output.Send.class);
        assertEquals(1, sends.size(), "b is probed again");
        Message.AppendRequest request = (Message.AppendRequest) sends.get(0).message();
        assertEquals(0, request.prevIndex(), "from b's hint, entry 1");
        assertEquals(1, a.counters().get(Counter.ACKNOWLEDGED_ENTRIES_LOST));
    }

    @Test
    void anAcknowledgementBetweenStaleRejectionsKeepsThemStale() {
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        Message.AppendResponse accepted = new Message.AppendResponse(B, 1, true, 1, 0, 0, 0);
        Message.AppendResponse stale = new Message.AppendResponse(B, 1, false, 0, 1, 0, 0);
        step(a, new Input.Receive(accepted));
        for (int i = 0; i < 3 * Progress.LOST_ACKNOWLEDGED_AFTER; i++) {
            step(a, new Input.Receive(i % 2 == 0 ? stale : accepted));
        }
        assertEquals(0, a.counters().get(Counter.ACKNOWLEDGED_ENTRIES_LOST));
    }

    @Test
    void followerAcknowledgesOnlyAfterTheEntriesAreDurable() { // §4.2, §5
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        Entry e1 = entry(1, 1);
        List<Output> outputs = step(b, new Input.Receive(append(A, 1, 0, 0, List.of(e1), 0)));
        assertEquals(
                List.of(new Output.Persist(1, Optional.of(new HardState(1, Optional.empty())), 1, List.of(e1))),
                only(outputs, Output.Persist.class));
        assertTrue(only(outputs, Output.Send.class).isEmpty(), "acknowledged before fsync");

        List<Output> after = step(b, new Input.Persisted(1));
        assertEquals(
                List.of(new Output.Send(A, new Message.AppendResponse(B, 1, true, 1, 0, 0, 0))),
                only(after, Output.Send.class));
    }

    @Test
    void voteIsGrantedOnlyOnceDurable() { // §5, §11.2
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        List<Output> outputs = step(b, new Input.Receive(new Message.VoteRequest(A, 1, 0, 0, false)));
        assertEquals(
                List.of(new Output.Persist(1, Optional.of(new HardState(1, Optional.of(A))), 1, List.of())),
                only(outputs, Output.Persist.class));
        assertTrue(only(outputs, Output.Send.class).isEmpty());
        assertEquals(
                List.of(new Output.Send(A, new Message.VoteResponse(B, 1, true))),
                only(step(b, new Input.Persisted(1)), Output.Send.class));
    }

    @Test
    void votesAreIgnoredWhileALeaderIsLive() { // §6 leader lease
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        step(b, new Input.Receive(append(A, 1, 0, 0, List.of(), 0)));
        step(b, new Input.Persisted(1));
        List<Output> outputs = step(b, new Input.Receive(new Message.VoteRequest(C, 2, 5, 1, false)));
        assertEquals(List.of(), outputs);
        assertEquals(1, b.term());
        assertEquals(1, b.counters().get(Counter.VOTE_IN_LEASE));

        List<Output> transfer = step(b, new Input.Receive(new Message.VoteRequest(C, 2, 5, 1, true)));
        assertEquals(2, b.term(), "a leadership transfer overrides the lease");
        assertEquals(1, only(transfer, Output.Persist.class).size());
    }

    @Test
    void conflictingAppendIsRejectedWithATermHint() { // §8 fast back-off
        RecoveredState recovered =
                new RecoveredState(new HardState(1, Optional.empty()), List.of(entry(1, 1), entry(2, 1)));
        GroupProtocol b = member(B, ABC, recovered);
        List<Output> outputs = step(b, new Input.Receive(append(A, 2, 2, 2, List.of(), 0)));
        assertTrue(only(outputs, Output.Send.class).isEmpty(), "answered in term 2 before term 2 was durable");
        assertEquals(
                List.of(new Output.Send(A, new Message.AppendResponse(B, 2, false, 0, 1, 1, 0))),
                only(step(b, new Input.Persisted(1)), Output.Send.class));
        assertEquals(2, b.log().lastIndex(), "rejection must not touch the log");
    }

    @Test
    void reorderedShorterAppendNeverTruncates() { // §4: truncate only on a real conflict
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        step(b, new Input.Receive(append(A, 1, 0, 0, List.of(entry(1, 1), entry(2, 1)), 0)));
        List<Output> outputs = step(b, new Input.Receive(append(A, 1, 0, 0, List.of(entry(1, 1)), 0)));
        assertTrue(only(outputs, Output.Persist.class).isEmpty());
        assertEquals(2, b.log().lastIndex());
    }

    @Test
    void realConflictTruncatesAndReplaces() { // §4
        RecoveredState recovered =
                new RecoveredState(new HardState(1, Optional.empty()), List.of(entry(1, 1), entry(2, 1)));
        GroupProtocol b = member(B, ABC, recovered);
        Entry replacement = entry(2, 2);
        List<Output> outputs = step(b, new Input.Receive(append(A, 2, 1, 1, List.of(replacement), 0)));
        assertEquals(
                List.of(new Output.Persist(
                        1, Optional.of(new HardState(2, Optional.empty())), 2, List.of(replacement))),
                only(outputs, Output.Persist.class));
        assertEquals(2, b.log().termAt(2));
    }

    @Test
    void malformedAndStrangeInputIsCountedNeverThrown() { // §10
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        // entries that do not follow prevIndex
        assertEquals(List.of(), step(b, new Input.Receive(append(A, 1, 0, 0, List.of(entry(3, 1)), 0))));
        // an entry from a future term
        assertEquals(List.of(), step(b, new Input.Receive(append(A, 1, 0, 0, List.of(entry(1, 5)), 0))));
        // a vote request from outside the configuration (appends are heard from any leader: §3, a leader added
        // after this member's latest configuration entry)
        assertEquals(List.of(), step(b, new Input.Receive(new Message.VoteRequest(MemberId.of("z"), 1, 0, 0, false))));
        // a persisted report for a ticket never issued
        assertEquals(List.of(), step(b, new Input.Persisted(99)));
        assertEquals(2, b.counters().get(Counter.MALFORMED_MESSAGE));
        assertEquals(1, b.counters().get(Counter.UNKNOWN_SENDER));
        assertEquals(1, b.counters().get(Counter.BAD_PERSIST_TICKET));
        assertEquals(0, b.term());
    }

    @Test
    void writesWithoutAQuorumAreRejectedNotLost() { // §9
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        assertEquals(MemberStatus.NO_QUORUM, b.status());
        List<Output> outputs = step(b, new Input.Submit(7, 1, 0, new byte[] {1}));
        assertEquals(List.of(new Output.Completed(7, 1, new Output.Rejected(RejectReason.NO_QUORUM))), outputs);
    }

    /**
     * Commands handed over in one step leave the leader as one write and one append per follower, each holding all of
     * them: a step per command would cost a write and an append per follower each.
     */
    @Test
    void commandsHandedOverTogetherAreWrittenAndSentTogether() {
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Persisted(2));
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0))); // the no-op commits
        step(a, new Input.Receive(new Message.AppendResponse(C, 1, true, 1, 0, 0, 0)));
        List<Input.Submit> commands = List.of(
                new Input.Submit(9, 1, 0, new byte[] {1}),
                new Input.Submit(9, 2, 0, new byte[] {2}),
                new Input.Submit(9, 3, 0, new byte[] {3}));
        List<Output> outputs = step(a, new Input.Submits(commands));
        List<Output.Persist> persists = only(outputs, Output.Persist.class);
        assertEquals(1, persists.size(), "one write: " + persists);
        assertEquals(
                List.of(2L, 3L, 4L),
                persists.get(0).entries().stream().map(Entry::index).toList());
        List<Output.Send> sends = only(outputs, Output.Send.class);
        assertEquals(List.of(B, C), sends.stream().map(Output.Send::to).toList(), "one append per follower");
        for (Output.Send send : sends) {
            assertEquals(3, ((Message.AppendRequest) send.message()).entries().size(), "all three: " + send);
        }
    }

    @Test
    void singleMemberCommitsAndAnswersDuplicatesFromTheSessionTable() { // §6 exactly-once
        Configuration solo = Configuration.ofVoters(List.of(new Voter(A, 1)));
        EchoMachine machine = new EchoMachine();
        GroupProtocol a = new GroupProtocol(A, 0, solo, OPTIONS, RecoveredState.EMPTY, machine, 1);
        Driver driver = new Driver(a);
        driver.tickUntilLeader();
        driver.run(new Input.OpenSession(9));
        List<Output> first = driver.run(new Input.Submit(9, 1, 0, new byte[] {42}));
        Output.Completed done = only(first, Output.Completed.class).get(0);
        Output.Committed committed = (Output.Committed) done.outcome();
        assertArrayEquals(new byte[] {42}, committed.result());

        List<Output> again = driver.run(new Input.Submit(9, 1, 0, new byte[] {42}));
        Output.Committed duplicate =
                (Output.Committed) only(again, Output.Completed.class).get(0).outcome();
        assertEquals(committed.index(), duplicate.index(), "a duplicate answers with the original index");
        assertEquals(1, machine.applied, "applied twice");

        List<Output> invalid = driver.run(new Input.Submit(9, 2, 2, new byte[] {42}));
        assertEquals(List.of(new Output.Completed(9, 2, new Output.Rejected(RejectReason.INVALID))), invalid);
        assertEquals(1, machine.applied);
    }

    @Test
    void aSoleVoterWithLearnersAnswersLinearizableReadsAtOnce() { // §9: its own vote is the quorum
        Configuration soloWithLearners = new Configuration(List.of(new Voter(A, 1)), new TreeSet<>(List.of(B)));
        GroupProtocol a =
                new GroupProtocol(A, 0, soloWithLearners, OPTIONS, RecoveredState.EMPTY, new EchoMachine(), 1);
        Driver driver = new Driver(a);
        driver.tickUntilLeader();
        driver.run(new Input.OpenSession(9)); // commits an entry of this term: reads may be answered (§9)

        List<Output> read = driver.run(new Input.Read(1, new byte[] {7}, false));

        List<Output.ReadCompleted> answers = only(read, Output.ReadCompleted.class);
        assertEquals(1, answers.size(), "the learner's silence must not hold the read: " + read);
        assertArrayEquals(new byte[] {7}, ((Output.Committed) answers.get(0).outcome()).result());
    }

    @Test
    void aBurstOfReadsCostsTwoRoundsNotOneEach() { // §9: at most one read round in flight
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Persisted(2));
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        assertEquals(1, a.commitIndex(), "the no-op of its term is committed: reads may be answered");

        List<Output> first = step(a, new Input.Read(1, new byte[] {1}, false));
        assertEquals(2, only(first, Output.Send.class).size(), "round 1 goes to b and c at once");
        for (long read = 2; read <= 5; read++) {
            List<Output> waiting = step(a, new Input.Read(read, new byte[] {1}, false));
            assertEquals(List.of(), only(waiting, Output.Send.class), "read " + read + " waits for round 2");
        }

        List<Output> echo1 = step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 1)));
        assertEquals(
                List.of(1L),
                only(echo1, Output.ReadCompleted.class).stream()
                        .map(Output.ReadCompleted::readId)
                        .toList(),
                "round 1 answers the read that came before it");
        assertEquals(2, only(echo1, Output.Send.class).size(), "round 2, for the four that waited, goes out");

        List<Output> echo2 = step(a, new Input.Receive(new Message.AppendResponse(C, 1, true, 1, 0, 0, 2)));
        assertEquals(
                List.of(2L, 3L, 4L, 5L),
                only(echo2, Output.ReadCompleted.class).stream()
                        .map(Output.ReadCompleted::readId)
                        .toList());
    }

    @Test
    void leaderHandsOverToAnUpToDateTarget() { // §6 leadership transfer
        GroupProtocol a = member(A, ABC, RecoveredState.EMPTY);
        electA(a);
        step(a, new Input.Persisted(2));
        step(a, new Input.Receive(new Message.AppendResponse(B, 1, true, 1, 0, 0, 0)));
        List<Output> outputs = step(a, new Input.TransferLeadership(B));
        assertEquals(List.of(new Output.Send(B, new Message.TimeoutNow(A, 1))), only(outputs, Output.Send.class));
        List<Output> paused = step(a, new Input.Submit(3, 1, 0, new byte[] {1}));
        assertEquals(List.of(), only(paused, Output.Persist.class), "appended while handing over");
    }

    @Test
    void transferTargetStartsAnElectionThatOverridesTheLease() { // §6
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        step(b, new Input.Receive(append(A, 1, 0, 0, List.of(), 0)));
        step(b, new Input.Persisted(1));
        List<Output> outputs = step(b, new Input.Receive(new Message.TimeoutNow(A, 1)));
        assertEquals(Role.CANDIDATE, b.role());
        assertEquals(
                List.of(new Output.Persist(2, Optional.of(new HardState(2, Optional.of(B))), 1, List.of())),
                only(outputs, Output.Persist.class));
        assertEquals(
                List.of(
                        new Output.Send(A, new Message.VoteRequest(B, 2, 0, 0, true)),
                        new Output.Send(C, new Message.VoteRequest(B, 2, 0, 0, true))),
                only(step(b, new Input.Persisted(2)), Output.Send.class));
    }

    @Test
    void transferToANonVoterOrFromAFollowerIsRefused() {
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        assertEquals(List.of(), step(b, new Input.TransferLeadership(C)));
        assertEquals(1, b.counters().get(Counter.TRANSFER_REFUSED));
    }

    @Test
    void optionsRejectUnsafeSettings() {
        ProtocolOptions d = ProtocolOptions.defaults();
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> new ProtocolOptions(
                        10,
                        20,
                        8,
                        d.maxEntriesPerAppend(),
                        d.maxAppendBytes(),
                        d.maxInflightAppends(),
                        1,
                        5,
                        10,
                        100,
                        10,
                        10,
                        DynamicVoting.defaults(),
                        SnapshotPolicy.defaults(),
                        MulticastPolicy.off()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withMinCopies(0));
        // A suspect timeout within reach of an election would shrink the group on every leader change.
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> d.withDynamicVoting(DynamicVoting.defaults().withTimeouts(d.electionTimeoutMaxTicks(), 10)));
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> DynamicVoting.defaults().withFloors(0, 0.0));
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> DynamicVoting.defaults().withFloors(1, 1.5));
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> new SnapshotPolicy(-1, 1024, 10));
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> new SnapshotPolicy(100, 0, 10));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withSizes(4096, 1024)
                .withSnapshots(new SnapshotPolicy(100, 8192, 10)));
    }

    /** Runs a single-member group: carries out persists immediately. */
    static final class Driver {
        final GroupProtocol member;

        Driver(GroupProtocol member) {
            this.member = member;
        }

        List<Output> run(Input input) {
            List<Output> all = new ArrayList<>();
            member.step(input);
            List<Output> outputs = member.drainOutputs();
            while (!outputs.isEmpty()) {
                all.addAll(outputs);
                List<Output> next = new ArrayList<>();
                for (Output.Persist persist : only(outputs, Output.Persist.class)) {
                    member.step(new Input.Persisted(persist.ticket()));
                    next.addAll(member.drainOutputs());
                }
                outputs = next;
            }
            return all;
        }

        void tickUntilLeader() {
            for (int i = 0; i < 100 && member.role() != Role.LEADER; i++) {
                run(new Input.Tick());
            }
            assertEquals(Role.LEADER, member.role());
        }
    }

    @Test
    void whatAFollowerVerifiedDoesNotCarryOverToTheSameLeadersLaterTerm() { // §4; found by the simulator
        GroupProtocol b = member(B, ABC, RecoveredState.EMPTY);
        step(b, new Input.Receive(append(A, 1, 0, 0, List.of(entry(1, 1), entry(2, 1), entry(3, 1)), 0)));
        // A leads again in term 3 (its log may differ after index 1); it probes from the start, commit 3.
        step(b, new Input.Receive(append(A, 3, 0, 0, List.of(entry(1, 1)), 3)));
        assertEquals(1, b.commitIndex(), "committed entries this term's leader never vouched for");
    }
}
