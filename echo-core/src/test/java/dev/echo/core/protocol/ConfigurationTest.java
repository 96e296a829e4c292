package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The configuration edits of dynamic voting (§7) and of the application, and the nominal list's rules. */
class ConfigurationTest {
    static final MemberId A = MemberId.of("a");
    static final MemberId B = MemberId.of("b");
    static final MemberId C = MemberId.of("c");
    static final MemberId D = MemberId.of("d");
    static final Configuration ABC =
            Configuration.ofVoters(List.of(Voter.of("a", 3), Voter.of("b", 1), Voter.of("c", 2)));

    @Test
    void suspendingKeepsTheNominalListAndReadmittingRestoresWeightAndRank() {
        Configuration shrunk = ABC.suspending(Set.of(A, C));
        assertEquals(List.of(Voter.of("b", 1)), shrunk.voters());
        assertEquals(B, shrunk.top(), "with a suspended, the next voter is top");
        assertEquals(new TreeSet<>(Set.of(A, C)), shrunk.learners(), "suspended voters keep receiving the log");
        assertEquals(List.of(Voter.of("a", 3), Voter.of("c", 2)), shrunk.suspended());
        assertEquals(6, shrunk.nominalWeight());
        assertEquals(ABC, shrunk.readmitting(Map.of(A, 0L, C, 0L)));
        assertEquals(
                List.of(Voter.of("b", 1), Voter.of("c", 2)),
                shrunk.readmitting(Map.of(C, 0L)).voters());
    }

    @Test
    void applicationEditsWorkOnTheNominalList() {
        Configuration shrunk = ABC.suspending(Set.of(C));
        Configuration reweighted = shrunk.withVoter(C, 5);
        assertEquals(shrunk.voters(), reweighted.voters(), "a suspended voter is re-weighted but stays suspended");
        assertEquals(List.of(Voter.of("c", 5)), reweighted.suspended());
        Configuration added = shrunk.withVoter(D, 1);
        assertEquals(List.of(Voter.of("a", 3), Voter.of("b", 1), Voter.of("d", 1)), added.voters());
        assertEquals(ABC.nominal().size() + 1, added.nominal().size());
        assertEquals(Configuration.ofVoters(List.of(Voter.of("a", 3), Voter.of("b", 1))), shrunk.without(C));
        assertEquals(C, shrunk.withTop(C).readmitting(Map.of(C, 0L)).top(), "re-admitted at its new nominal rank");
        assertEquals(new TreeSet<>(Set.of(A)), ABC.withLearner(A).learners());
    }

    @Test
    void incarnationsAreRecordedOnlyThroughReadmissionReincarnationOrStamping() {
        Configuration shrunk = ABC.suspending(Set.of(C));
        Configuration back = shrunk.readmitting(Map.of(C, 4L));
        assertEquals(4, back.incarnationOf(C), "re-admitted at the incarnation it came back with");
        assertEquals(List.of(Voter.of("a", 3), Voter.of("b", 1), new Voter(C, 2, 4)), back.voters());
        assertEquals(back.voters(), back.nominal(), "the nominal list records it too");
        assertEquals(4, shrunk.reincarnating(Map.of(C, 4L)).incarnationOf(C), "a suspended voter's nominal entry");
        Configuration reborn = ABC.reincarnating(Map.of(B, 2L));
        assertEquals(List.of(Voter.of("a", 3), new Voter(B, 1, 2), Voter.of("c", 2)), reborn.voters());
        assertTrue(reborn.isVoterAs(B, 2));
        assertFalse(reborn.isVoterAs(B, 0), "the old life no longer votes");
        assertEquals(-1, ABC.incarnationOf(D));
        assertEquals(2, reborn.withVoter(B, 7).incarnationOf(B), "a re-weight keeps the incarnation");

        Configuration added = ABC.withVoter(D, 1);
        Configuration stamped = added.stampingNewVoters(ABC, id -> id.equals(D) || id.equals(A) ? 9 : -1);
        assertEquals(9, stamped.incarnationOf(D), "a new voter counts as the incarnation the leader hears");
        assertEquals(0, stamped.incarnationOf(A), "a voter already voting is never re-stamped in place");
        assertEquals(added, added.stampingNewVoters(ABC, id -> -1), "unknown incarnations leave it as is");
    }

    @Test
    void aQuorumCountsAVoterOnlyAsItsRecordedIncarnation() {
        Configuration equal = Configuration.ofVoters(List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1)));
        Configuration reborn = equal.reincarnating(Map.of(C, 1L));
        Set<MemberId> bc = Set.of(B, C);
        assertTrue(reborn.isQuorumOf((id, incarnation) -> bc.contains(id) && incarnation == (id.equals(C) ? 1 : 0)));
        assertFalse(
                reborn.isQuorumOf((id, incarnation) -> bc.contains(id) && incarnation == 0),
                "c's old life does not count for c's new one");
        JointConfiguration joint = new JointConfiguration(equal, reborn);
        assertTrue(joint.isVoterAs(C, 0) && joint.isVoterAs(C, 1), "during the change both lives vote, once each");
        assertFalse(
                joint.isQuorumOf((id, incarnation) -> bc.contains(id) && incarnation == 0),
                "the old life alone does not carry the new configuration");
    }

    @Test
    void aNominalListThatDoesNotCoverTheVotersIsRefused() {
        List<Voter> voters = List.of(Voter.of("a", 1), Voter.of("b", 1));
        TreeSet<MemberId> none = new TreeSet<>();
        assertThrows(IllegalArgumentException.class, () -> new Configuration(voters, none, List.of(Voter.of("a", 1))));
        assertThrows( // out of nominal order
                IllegalArgumentException.class,
                () -> new Configuration(voters, none, List.of(Voter.of("b", 1), Voter.of("a", 1))));
        assertThrows( // a suspended voter must be a learner
                IllegalArgumentException.class,
                () -> new Configuration(voters, none, List.of(Voter.of("a", 1), Voter.of("b", 1), Voter.of("c", 1))));
        assertThrows( // weights must match
                IllegalArgumentException.class,
                () -> new Configuration(voters, none, List.of(Voter.of("a", 2), Voter.of("b", 1))));
    }
}
