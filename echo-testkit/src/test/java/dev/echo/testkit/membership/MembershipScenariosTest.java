package dev.echo.testkit.membership;

import static dev.echo.testkit.membership.DynamicVotingTest.FAST;
import static dev.echo.testkit.membership.DynamicVotingTest.FIVE;
import static dev.echo.testkit.membership.DynamicVotingTest.options;
import static dev.echo.testkit.membership.DynamicVotingTest.writesDuring;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Mutation;
import dev.echo.core.protocol.Voter;
import dev.echo.testkit.check.InvariantViolation;
import dev.echo.testkit.sim.Scenario;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
}
