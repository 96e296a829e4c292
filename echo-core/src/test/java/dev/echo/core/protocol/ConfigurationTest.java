package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.echo.core.MemberId;
import java.util.List;
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
        assertEquals(ABC, shrunk.readmitting(Set.of(A, C)));
        assertEquals(
                List.of(Voter.of("b", 1), Voter.of("c", 2)),
                shrunk.readmitting(Set.of(C)).voters());
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
        assertEquals(C, shrunk.withTop(C).readmitting(Set.of(C)).top(), "re-admitted at its new nominal rank");
        assertEquals(new TreeSet<>(Set.of(A)), ABC.withLearner(A).learners());
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
