package dev.echo.testkit.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.DynamicVoting;
import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.SnapshotPolicy;
import dev.echo.core.protocol.Voter;
import dev.echo.testkit.check.InvariantViolation;
import dev.echo.testkit.sim.Mutation;
import dev.echo.testkit.sim.Scenario;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §8 and §12 for snapshots, as scripted simulator runs (every invariant, §11.13 included, is checked after
 * every step): a member cut off while the others compact catches up by a chunked transfer while writes go on
 * ("snapshot racing appends"), members restart from their snapshots, and discarding a log prefix before its snapshot
 * is durable is caught.
 */
class SnapshotScenariosTest {
    private static final Configuration ABC =
            Configuration.ofVoters(List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1)));
    /** Snapshots every 20 entries in 64-byte chunks: a transfer takes many chunks. Static membership. */
    private static final ProtocolOptions SNAPSHOTS = ProtocolOptions.defaults()
            .withDynamicVoting(DynamicVoting.off())
            .withSnapshots(new SnapshotPolicy(20, 64, 10));

    @Test
    void aMemberBehindTheLeadersSnapshotCatchesUpWhileWritesGoOn() {
        Scenario scenario = Scenario.start(11, ABC, SNAPSHOTS).runFor(1_000);
        scenario.partition(Set.of("c")).runFor(1_000);
        long cutOffAt = scenario.commitIndex("c");
        // The others write on and compact; how soon the leader's snapshot passes c depends on the seed's draw of
        // writes, so the scenario waits for it rather than for a fixed time.
        assertTrue(
                scenario.runUntil(
                        () -> !scenario.leaders().isEmpty()
                                && scenario.snapshotIndex(scenario.leaders().get(0)) > cutOffAt,
                        20_000),
                "the leader compacted past what c has");
        String leader = scenario.leaders().get(0);

        scenario.healNetwork();
        boolean caughtUp = scenario.runUntil(
                () -> scenario.snapshotsInstalled("c") > 0
                        && scenario.commitIndex("c") >= scenario.snapshotIndex(leader),
                5_000);
        assertTrue(caughtUp, "c installed the leader's snapshot and caught up");
        long writesBefore = scenario.committedWrites();
        scenario.runFor(2_000);
        assertTrue(scenario.committedWrites() > writesBefore, "the group kept committing");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aDamagedMemberIsRepairedFromTheLeadersLogAndReadmittedAsItsNextLife() {
        ProtocolOptions options = ProtocolOptions.defaults() // no snapshot: the policy's interval is far off
                .withDynamicVoting(DynamicVoting.defaults().withTimeouts(100, 50));
        Scenario scenario = Scenario.start(14, ABC, options).runFor(2_000);
        String leader = scenario.leaders().get(0);
        String damaged = leader.equals("c") ? "b" : "c";

        scenario.damage(damaged).restart(damaged);
        assertEquals(MemberStatus.STORAGE_FAULTED, scenario.status(damaged));
        assertEquals(1, scenario.disk(damaged).incarnation(), "a new life: it may have lost what it acknowledged");
        boolean repaired = scenario.runUntil(
                () -> scenario.status(damaged) == MemberStatus.FOLLOWER
                        && scenario.commitIndex(damaged) >= scenario.commitIndex(leader) - 5,
                3_000);
        assertTrue(repaired, "the leader sent its whole log, from entry 1");
        assertEquals(0, scenario.snapshotIndex(leader), "no snapshot was needed");
        assertEquals(0, scenario.snapshotsInstalled(damaged));
        long writesBefore = scenario.committedWrites();
        scenario.runFor(4_000);
        assertTrue(scenario.committedWrites() > writesBefore, "the group kept committing");
        assertFalse(scenario.disk(damaged).damaged(), "its journal restarted from scratch");
        Configuration after = (Configuration) scenario.leaderConfiguration().orElseThrow();
        assertEquals(1, after.incarnationOf(MemberId.of(damaged)), "re-admitted as its new life");
        assertTrue(after.isVoter(MemberId.of(damaged)));
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aDamagedMemberBehindTheLeadersSnapshotIsRepairedByTransfer() {
        Scenario scenario = Scenario.start(16, ABC, SNAPSHOTS).runFor(2_000);
        String leader = scenario.leaders().get(0);
        String damaged = leader.equals("c") ? "b" : "c";
        assertTrue(scenario.snapshotIndex(leader) > 0, "the leader's log is compacted");
        scenario.damage(damaged).restart(damaged);
        assertEquals(MemberStatus.STORAGE_FAULTED, scenario.status(damaged));
        boolean repaired = scenario.runUntil(
                () -> scenario.status(damaged) == MemberStatus.FOLLOWER && scenario.snapshotsInstalled(damaged) == 1,
                3_000);
        assertTrue(repaired, "repaired by the leader's snapshot, sent in chunks");
        scenario.runFor(1_000);
        assertFalse(scenario.disk(damaged).damaged(), "its journal restarted after the snapshot");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void aDamagedMemberDoesNotVoteUntilRepaired() {
        ProtocolOptions noPeriodicSnapshots = ProtocolOptions.defaults().withDynamicVoting(DynamicVoting.off());
        Scenario scenario = Scenario.start(15, ABC, noPeriodicSnapshots).runFor(2_000);
        String leader = scenario.leaders().get(0);
        String damaged = leader.equals("c") ? "b" : "c";
        scenario.damage(damaged).restart(damaged).crash(leader).runFor(3_000);
        assertEquals(List.of(), scenario.leaders(), "the third member cannot win with a vote the damaged one refuses");
        assertEquals(MemberStatus.STORAGE_FAULTED, scenario.status(damaged), "no leader to repair it");
        scenario.restart(leader).runFor(3_000);
        assertEquals(1, scenario.leaders().size(), "with the old leader back, an election succeeds");
        assertEquals(MemberStatus.FOLLOWER, scenario.status(damaged), "and the new leader repairs it");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void everyMemberRestartsFromItsOwnSnapshot() {
        Scenario scenario = Scenario.start(12, ABC, SNAPSHOTS).runFor(2_000);
        for (String member : List.of("a", "b", "c")) {
            assertTrue(scenario.disk(member).snapshot().isPresent(), member + " stored a snapshot");
            scenario.crash(member);
        }
        for (String member : List.of("a", "b", "c")) {
            scenario.restart(member);
            assertTrue(scenario.snapshotIndex(member) > 0, member + " recovered from its snapshot");
        }
        long writesBefore = scenario.committedWrites();
        scenario.runFor(3_000);
        assertTrue(scenario.committedWrites() > writesBefore, "the group resumed");
        assertEquals(Optional.empty(), scenario.finish());
    }

    @Test
    void compactingBeforeTheSnapshotIsDurableIsCaught() {
        InvariantViolation caught = assertThrows(InvariantViolation.class, () -> {
            Scenario scenario =
                    Scenario.start(13, ABC, SNAPSHOTS, Set.of(Mutation.COMPACT_BEFORE_SNAPSHOT_DURABLE), null);
            // Strike in the window: the journal dropped the prefix, the snapshot covering it is not yet stored.
            boolean inWindow = scenario.runUntil(() -> exposed(scenario, "b"), 5_000);
            assertTrue(inWindow, "the mutant opened the window");
            scenario.crash("b").restart("b");
        });
        assertTrue(caught.getMessage().contains("§5"), caught.getMessage());
    }

    private static boolean exposed(Scenario scenario, String member) {
        long snapshot =
                scenario.disk(member).snapshot().map(s -> s.meta().index()).orElse(0L);
        return scenario.disk(member).compactedThrough() > snapshot;
    }
}
