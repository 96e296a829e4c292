package dev.echo.testkit.membership;

import static dev.echo.testkit.membership.DynamicVotingTest.FAST;
import static dev.echo.testkit.membership.DynamicVotingTest.FIVE;
import static dev.echo.testkit.membership.DynamicVotingTest.options;
import static dev.echo.testkit.membership.DynamicVotingTest.writesDuring;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.DynamicVoting;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.ProtocolCounters;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Voter;
import dev.echo.testkit.check.InvariantViolation;
import dev.echo.testkit.sim.Mutation;
import dev.echo.testkit.sim.Scenario;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §12 scenarios that involve the configuration, each run as written and again with the deliberate bug
 * that the design rules out, which the simulator's checks must catch.
 */
class MembershipScenariosTest {
    /** d and e are cut off; the leader's side {a, b, c} shrinks the group to itself. */
    static Scenario shrinkToAbc(Set<Mutation> mutations) {
        Scenario scenario =
                Scenario.start(5, FIVE, options(FAST), mutations, null).runFor(2_000);
        return scenario.partition(Set.of("d", "e")).runFor(3_000);
    }

    @Test
    void naiveDynamicVotingFiveToThreeWithASplitAbCde() {
        Scenario scenario = shrinkToAbc(Set.of());
        assertEquals(
                List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1)),
                ((Configuration) scenario.configurationAt("a")).voters(),
                "shrunk through J to {a,b,c}");
        // Now the split moves: {a,b} is a quorum of {a,b,c}; {c,d,e} holds a quorum of no configuration in force,
        // so only {a,b} commits (and, c being silent, goes on to shrink to {a,b}).
        scenario.healNetwork().partition(Set.of("a", "b"));
        assertTrue(writesDuring(scenario, 3_000) > 0);
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void naiveDynamicVotingIsCaughtWithoutTheJointStep() {
        InvariantViolation caught =
                assertThrows(InvariantViolation.class, () -> shrinkToAbc(Set.of(Mutation.SKIP_JOINT_CONSENSUS)));
        assertTrue(caught.getMessage().contains("§11.9"), caught.getMessage());
    }

    @Test
    void removingTheLeaderHandsOverAndTheGroupContinues() {
        Configuration abc = Configuration.ofVoters(List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1)));
        Scenario scenario = Scenario.start(6, abc, options(FAST)).runFor(2_000);
        String leader = scenario.leaders().get(0);
        scenario.crash(leader).runFor(3_000); // dynamic voting removes the old leader
        assertEquals(
                2,
                ((Configuration) scenario.leaderConfiguration().orElseThrow())
                        .voters()
                        .size());
        assertTrue(writesDuring(scenario, 1_000) > 0);
        scenario.restart(leader).runFor(4_000); // and re-admits it
        assertEquals(abc, scenario.leaderConfiguration().orElseThrow());
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void totalOutageAndRestartOfEveryMemberResumesWithoutAnOperator() {
        Scenario scenario = Scenario.start(7, FIVE, options(FAST)).runFor(2_000);
        for (String member : List.of("a", "b", "c", "d", "e")) {
            scenario.crash(member);
        }
        scenario.runFor(5_000);
        for (String member : List.of("e", "d", "c", "b", "a")) {
            scenario.restart(member);
        }
        scenario.runFor(3_000);
        assertTrue(writesDuring(scenario, 1_000) > 0, "the group resumed on its own");
        assertEquals(FIVE, scenario.leaderConfiguration().orElseThrow(), "nobody was suspended while all were down");
        assertEquals(Optional.empty(), scenario.finish());
    }

    static final Configuration ABCD =
            Configuration.ofVoters(List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1), Voter.of("d", 1)));

    static boolean isJoint(Scenario scenario, String member) {
        return scenario.configurationAt(member) instanceof JointConfiguration;
    }

    /** A steady four-member group with dynamic voting off, so only the scripted change happens. */
    static Scenario steadyAbcd(Set<Mutation> mutations) {
        return Scenario.start(8, ABCD, options(DynamicVoting.off()), mutations, null)
                .runFor(2_000);
    }

    @Test
    void removingOneOfFourUnderTheTieBreakerGoesThroughJ() {
        // {a, b} is a quorum of {a,b,c,d} (half the weight, with top a) but not of {a,b,c}: the step is not adjacent.
        MembershipChange removeD = new MembershipChange.Remove(MemberId.of("d"));
        assertTakesEffect(removeD);
        assertCaughtWithoutTheJointStep(removeD);
    }

    @Test
    void reWeightingAndReOrderingGoThroughJ() {
        MembershipChange reweight = new MembershipChange.AddVoter(MemberId.of("d"), 3); // d outweighs any two others
        MembershipChange reorder = new MembershipChange.MakeTop(MemberId.of("d")); // the tie-breaker moves
        for (MembershipChange change : List.of(reweight, reorder)) {
            assertTakesEffect(change);
            assertCaughtWithoutTheJointStep(change);
        }
    }

    /** From a steady {a,b,c,d}, {@code change} is asked for and takes effect at the leader, all checks holding. */
    private static void assertTakesEffect(MembershipChange change) {
        Scenario scenario = steadyAbcd(Set.of()).requestChange(change).runFor(2_000);
        assertEquals(change.applyTo(ABCD), scenario.leaderConfiguration().orElseThrow());
        assertEquals(Optional.empty(), scenario.finish());
    }

    /** The same change made in one entry ({@code SKIP_JOINT_CONSENSUS}) is caught as a non-adjacent step, §11.9. */
    private static void assertCaughtWithoutTheJointStep(MembershipChange change) {
        InvariantViolation caught =
                assertThrows(InvariantViolation.class, () -> steadyAbcd(Set.of(Mutation.SKIP_JOINT_CONSENSUS))
                        .requestChange(change)
                        .runFor(2_000));
        assertTrue(caught.getMessage().contains("§11.9"), caught.getMessage());
    }

    /**
     * The leader's side {a, q} of the split is a quorum of {a,b,c,d} (half the weight, with top a) but holds only a of
     * C_new = {a,b,c,d} without q. J needs both, so J must not commit on that side; a member that put J in force only
     * at commit time would count J with {a,b,c,d} alone and commit it there.
     */
    static void splitWhileRemovingTheLeadersPartner(Scenario scenario) {
        String leader = scenario.leaders().get(0);
        String partner = leader.equals("a") ? "d" : leader;
        Set<String> cutOff = new TreeSet<>(Set.of("a", "b", "c", "d"));
        cutOff.removeAll(Set.of("a", partner));
        scenario.partition(cutOff)
                .requestChange(new MembershipChange.Remove(MemberId.of(partner)))
                .runFor(2_000);
    }

    @Test
    void switchingAtCommitTimeDoesNotReplaceTheJointStep() {
        Scenario scenario = steadyAbcd(Set.of());
        String leader = scenario.leaders().get(0);
        splitWhileRemovingTheLeadersPartner(scenario);
        // C_new needs b or c, which are cut off, so J cannot commit, and the leader never counts with C_new alone.
        // Its side is still a quorum of ABCD, so it rolls J back (PROTOCOL.md §3, rollback) rather than stall.
        assertEquals(1, scenario.count(leader, ProtocolCounters.Counter.CHANGE_ROLLED_BACK), "J rolled back");
        assertEquals(ABCD, scenario.configurationAt(leader), "ABCD in force again on the leader's side");
        scenario.healNetwork().runFor(3_000);
        assertEquals(ABCD, scenario.leaderConfiguration().orElseThrow(), "the change was abandoned, not half made");
        assertEquals(Optional.empty(), scenario.finish());
        InvariantViolation caught = assertThrows(
                InvariantViolation.class,
                () -> splitWhileRemovingTheLeadersPartner(steadyAbcd(Set.of(Mutation.SWITCH_AT_COMMIT))));
        assertTrue(caught.getMessage().contains("§11.12"), caught.getMessage());
    }

    @Test
    void aLeaderIsolatedRightAfterAppendingJ() {
        Scenario scenario = steadyAbcd(Set.of());
        String leader = scenario.leaders().get(0);
        scenario.requestChange(new MembershipChange.Remove(MemberId.of(leader.equals("d") ? "c" : "d")));
        assertTrue(isJoint(scenario, leader), "J appended at once");
        scenario.partition(Set.of(leader)).runFor(3_000); // the rest elect a leader; J completes or is cut
        assertTrue(writesDuring(scenario, 1_000) > 0, "the majority side goes on");
        scenario.healNetwork().runFor(3_000);
        QuorumSystem settled = scenario.leaderConfiguration().orElseThrow();
        assertTrue(settled instanceof Configuration, "no J left in force: " + settled);
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aCrashBetweenJCommittingAndCNewCommitting() {
        Scenario scenario = steadyAbcd(Set.of());
        String leader = scenario.leaders().get(0);
        MembershipChange reweight = new MembershipChange.AddVoter(MemberId.of("d"), 2);
        Configuration target = reweight.applyTo(ABCD);
        scenario.requestChange(reweight);
        // J commits, and the leader appends C_new in that same step; C_new needs another round to commit, so
        // striking at the first step where C_new is in force crashes the leader between the two.
        assertTrue(scenario.runUntil(() -> scenario.configurationAt(leader).equals(target), 2_000));
        scenario.crash(leader).runFor(3_000);
        assertEquals(target, scenario.leaderConfiguration().orElseThrow(), "the next leader finishes the change");
        scenario.restart(leader).runFor(2_000);
        assertEquals(target, scenario.configurationAt(leader));
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aRemovedMemberCutOffBeforeHearingOfItsRemovalCannotDisruptTheGroup() {
        Scenario scenario = steadyAbcd(Set.of());
        String leader = scenario.leaders().get(0);
        String removed = leader.equals("d") ? "c" : "d";
        // Cut the member off before it hears of its removal: it keeps its old configuration and campaigns. Pre-vote
        // keeps its term from rising while it cannot win; back in contact, its vote requests come from a stranger
        // whose log is not ahead, and are ignored.
        scenario.partition(Set.of(removed))
                .requestChange(new MembershipChange.Remove(MemberId.of(removed)))
                .runFor(5_000);
        long groupTerm = scenario.term(leader);
        scenario.healNetwork().runFor(3_000);
        assertEquals(List.of(leader), scenario.leaders(), "the leader kept its leadership");
        assertEquals(groupTerm, scenario.term(leader), "no election was forced on the group");
        assertTrue(writesDuring(scenario, 1_000) > 0);
        assertEquals(Optional.empty(), scenario.finish());
    }
}
