package dev.echo.testkit.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.DynamicVoting;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.ProtocolCounters;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Voter;
import dev.echo.testkit.sim.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §7 demonstrated on the simulator: the group shrinks around failed voters through joint consensus,
 * keeps committing as long as each step keeps a quorum, respects its floors, and re-admits returning members at
 * their nominal weight and rank. Every invariant is checked after every step; the client history must be
 * linearizable.
 */
class DynamicVotingTest {
    /** Suspect after 1 s of silence (ticks are 10 ms), re-admit after 0.5 s of steady answers. */
    static final DynamicVoting FAST = DynamicVoting.defaults().withTimeouts(100, 50);

    static final Configuration FIVE = Configuration.ofVoters(
            List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1), Voter.of("d", 1), Voter.of("e", 1)));

    static ProtocolOptions options(DynamicVoting policy) {
        return ProtocolOptions.defaults().withDynamicVoting(policy);
    }

    /** Lets the group settle, then returns how many writes it acknowledges in the next {@code millis}. */
    static long writesDuring(Scenario scenario, long millis) {
        scenario.runFor(500); // operations in flight at the last event finish either way
        long before = scenario.committedWrites();
        scenario.runFor(millis);
        return scenario.committedWrites() - before;
    }

    static int voterCount(Scenario scenario) {
        QuorumSystem config = scenario.leaderConfiguration().orElseThrow(() -> new AssertionError("no single leader"));
        return ((Configuration) config).voters().size();
    }

    @Test
    void fiveMembersLosingOneAtATimeKeepCommittingDownToTheLastSurvivor() {
        Scenario scenario = Scenario.start(1, FIVE, options(FAST)).runFor(2_000);
        assertTrue(writesDuring(scenario, 1_000) > 0, "the healthy group commits");
        int voters = 5;
        for (String victim : List.of("e", "d", "c", "b")) {
            scenario.crash(victim).runFor(3_000); // suspect timeout (1 s) and the joint change
            voters--;
            assertEquals(voters, voterCount(scenario), "shrunk after losing " + victim);
            assertTrue(writesDuring(scenario, 1_000) > 0, "still committing with " + voters + " voter(s)");
        }
        assertEquals(List.of("a"), scenario.leaders(), "the last survivor, top, leads alone");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aStaticMajorityStopsAtTheThirdFailure() { // the same sequence without dynamic voting
        Scenario scenario =
                Scenario.start(1, FIVE, options(DynamicVoting.off())).runFor(2_000);
        scenario.crash("e").runFor(3_000);
        scenario.crash("d").runFor(3_000);
        assertTrue(writesDuring(scenario, 1_000) > 0, "three of five still form a majority");
        scenario.crash("c").runFor(3_000);
        assertEquals(0, writesDuring(scenario, 3_000), "two of five: no quorum, writes pause");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aTwoMemberGroupWeightedTwoToOneKeepsWorkingWhenTheLighterMemberFails() {
        Configuration weighted = Configuration.ofVoters(List.of(Voter.of("a", 2), Voter.of("b", 1)));
        Scenario lighterFails =
                Scenario.start(2, weighted, options(DynamicVoting.off())).runFor(2_000);
        lighterFails.crash("b").runFor(1_000);
        assertTrue(writesDuring(lighterFails, 2_000) > 0, "a holds 2 of 3: a quorum alone");
        assertEquals(Optional.empty(), lighterFails.finish());

        Scenario heavierFails =
                Scenario.start(2, weighted, options(DynamicVoting.off())).runFor(2_000);
        heavierFails.crash("a").runFor(1_000);
        assertEquals(0, writesDuring(heavierFails, 2_000), "b holds 1 of 3: no quorum");
        assertEquals(Optional.empty(), heavierFails.finish());
    }

    @Test
    void returningMembersAreReadmittedAtTheirNominalWeightAndRank() {
        Configuration ranked = Configuration.ofVoters(
                List.of(Voter.of("a", 3), Voter.of("b", 1), Voter.of("c", 2), Voter.of("d", 1), Voter.of("e", 2)));
        Scenario scenario = Scenario.start(3, ranked, options(FAST)).runFor(2_000);
        scenario.crash("c").crash("e").runFor(3_000);
        Configuration shrunk = (Configuration) scenario.leaderConfiguration().orElseThrow();
        assertEquals(List.of(Voter.of("a", 3), Voter.of("b", 1), Voter.of("d", 1)), shrunk.voters());
        assertEquals(ranked.voters(), shrunk.nominal(), "the nominal list remembers weights and ranks");
        assertTrue(writesDuring(scenario, 1_000) > 0);

        scenario.restart("c").restart("e").runFor(4_000);
        assertEquals(ranked, scenario.leaderConfiguration().orElseThrow(), "both re-admitted as configured");
        assertTrue(writesDuring(scenario, 1_000) > 0);
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aWipedMemberIsReadmittedUnderItsNewIncarnation() {
        Configuration ranked = Configuration.ofVoters(List.of(Voter.of("a", 2), Voter.of("b", 1), Voter.of("c", 1)));
        Scenario scenario = Scenario.start(5, ranked, options(FAST)).runFor(2_000);
        long writes = scenario.committedWrites();
        scenario.wipe("c").restart("c").runFor(6_000);
        assertEquals(1, scenario.disk("c").incarnation(), "c came back on a new disk");
        Configuration back = (Configuration) scenario.leaderConfiguration().orElseThrow();
        assertEquals(
                List.of(Voter.of("a", 2), Voter.of("b", 1), new Voter(MemberId.of("c"), 1, 1)),
                back.voters(),
                "suspended at once, then re-admitted at its weight and rank, counted as its new life");
        assertTrue(scenario.committedWrites() > writes, "the group kept committing");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aChangeStrandedByAWipedVoterIsRolledBack() {
        Scenario scenario = Scenario.start(7, FIVE, options(FAST)).runFor(2_000);
        String leader = scenario.leaders().get(0);
        String doomed = leader.equals("c") ? "b" : "c";
        // The new half {doomed, leader} needs its top, doomed: the leader alone is half its weight without the top.
        Configuration pair = new Configuration(
                List.of(Voter.of(doomed, 1), Voter.of(leader, 1)),
                FIVE.members().stream()
                        .filter(id -> !id.value().equals(doomed) && !id.value().equals(leader))
                        .collect(Collectors.toCollection(TreeSet::new)));
        List<MembershipChange.Single> edits = new ArrayList<>();
        pair.learners().forEach(other -> edits.add(new MembershipChange.AddLearner(other)));
        edits.add(new MembershipChange.MakeTop(MemberId.of(doomed)));
        MembershipChange toThePair = new MembershipChange.Together(edits);
        assertEquals(pair, toThePair.applyTo(FIVE));
        scenario.requestChange(toThePair);
        assertTrue(scenario.configurationAt(leader) instanceof JointConfiguration, "J(FIVE, pair) appended");
        scenario.wipe(doomed).restart(doomed); // before J reached it: the life J counts will never answer
        scenario.runFor(1_000);
        assertEquals(1, scenario.count(leader, ProtocolCounters.Counter.CHANGE_ROLLED_BACK), "J rolled back");
        assertTrue(writesDuring(scenario, 1_000) > 0, "the other four are a quorum of FIVE: writes go on");
        scenario.runFor(6_000);
        Configuration after = (Configuration) scenario.leaderConfiguration().orElseThrow();
        assertEquals(
                FIVE.voters().stream().map(Voter::id).toList(),
                after.voters().stream().map(Voter::id).toList(),
                "the rollback restored FIVE, and the wiped member was then re-admitted");
        assertEquals(1, after.incarnationOf(MemberId.of(doomed)), "counted as its new life");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void withoutReadmissionAWipedMemberNeverVotesAsItsOldSelf() {
        Configuration three = Configuration.ofVoters(List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1)));
        Scenario scenario =
                Scenario.start(6, three, options(DynamicVoting.off())).runFor(2_000);
        scenario.wipe("c").restart("c").runFor(2_000);
        assertTrue(writesDuring(scenario, 1_000) > 0, "a and b are two of three");
        // c is up and caught up, but its vote is its new life's: with a it is not counted as the c of {a, b, c}.
        assertWritesPauseUntilReturns(scenario, "b", "a with the wiped c is not a quorum", "b is back: a quorum again");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void theGroupNeverShrinksBelowItsFloor() {
        Scenario scenario =
                Scenario.start(4, FIVE, options(FAST.withFloors(3, 0.0))).runFor(2_000);
        scenario.crash("e").crash("d").runFor(3_000);
        assertEquals(3, voterCount(scenario));
        scenario.crash("c").runFor(3_000);
        assertEquals(3, voterCount(scenario), "minVoters 3: c keeps its vote although silent");
        assertTrue(writesDuring(scenario, 1_000) > 0, "a and b are two of three: still a quorum");
        assertWritesPauseUntilReturns(
                scenario, "b", "a alone is not a quorum of three: writes pause", "b is back: the group resumes");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aFlappingMemberDoesNotStallTheGroupAndEndsReadmitted() {
        Scenario scenario = Scenario.start(9, FIVE, options(FAST)).runFor(2_000);
        long before = scenario.committedWrites();
        // e dies and returns around the suspect timeout (1 s), twelve times: sometimes suspended, sometimes not.
        for (int round = 0; round < 12; round++) {
            scenario.crash("e").runFor(600 + 150L * (round % 5));
            scenario.restart("e").runFor(400 + 100L * (round % 4));
        }
        assertTrue(scenario.committedWrites() - before > 100, "the other four kept committing throughout");
        scenario.runFor(4_000); // steady again: e catches up and is re-admitted
        assertEquals(FIVE, scenario.leaderConfiguration().orElseThrow(), "back to the configured group");
        assertEquals(Optional.empty(), scenario.finish());
    }

    /** {@code member} crashes and nothing commits; it restarts and writes resume. */
    private static void assertWritesPauseUntilReturns(
            Scenario scenario, String member, String pausedBecause, String resumedBecause) {
        scenario.crash(member).runFor(3_000);
        assertEquals(0, writesDuring(scenario, 2_000), pausedBecause);
        scenario.restart(member).runFor(3_000);
        assertTrue(writesDuring(scenario, 1_000) > 0, resumedBecause);
    }
}
