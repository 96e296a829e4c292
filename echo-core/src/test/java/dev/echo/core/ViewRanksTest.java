package dev.echo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Ranks split work among members (issue 23): voters in their order, then learners by id, 0..k-1 everywhere. */
class ViewRanksTest {
    private static final MemberId A = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");
    private static final MemberId C = MemberId.of("c");
    private static final MemberId D = MemberId.of("d");
    private static final MemberId E = MemberId.of("e");

    private final View view = new View(
            List.of(new View.Member(C, 2), new View.Member(A, 1)),
            new TreeSet<>(List.of(E, D, B)),
            List.of(new View.Member(B, 1)),
            7);

    @Test
    void votersRankFirstInTheirOrderThenLearnersById() {
        assertEquals(List.of(C, A, B, D, E), view.members());
        assertEquals(5, view.size());
        for (int rank = 0; rank < view.size(); rank++) {
            assertEquals(rank, view.rankOf(view.members().get(rank)));
        }
    }

    @Test
    void aStrangerHasNoRankAndOnlyVotersVote() {
        assertEquals(-1, view.rankOf(MemberId.of("z")));
        assertTrue(view.isVoter(C));
        assertFalse(view.isVoter(B), "suspended voters do not vote");
        assertFalse(view.isVoter(E));
    }

    @Test
    void equalViewsGiveEqualRanks() {
        View same = new View(view.voters(), new TreeSet<>(List.of(B, D, E)), view.suspended(), 7);
        assertEquals(view, same);
        assertEquals(view.members(), same.members());
    }
}
