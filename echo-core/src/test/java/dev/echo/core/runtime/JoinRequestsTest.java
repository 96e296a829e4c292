package dev.echo.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.View;
import dev.echo.core.protocol.MembershipChange;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md §8: a new machine asks to join with back-off until it is in, and a removed one stays out. */
class JoinRequestsTest {
    private static final MemberId SELF = MemberId.of("n4");
    private static final MemberAddress AT = MemberAddress.of(PeerAddress.parse("10.0.0.4:7001"));
    private static final View WITHOUT =
            new View(List.of(new View.Member(MemberId.of("n1"), 1)), new TreeSet<>(), List.of(), 0);
    private static final View WITH =
            new View(List.of(new View.Member(MemberId.of("n1"), 1)), new TreeSet<>(List.of(SELF)), List.of(), 5);

    @Test
    void asksAtOnceThenBacksOffUntilItIsAMember() {
        JoinRequests joining = new JoinRequests("g", SELF, AT, false);
        GroupLoop.ChangeMembership first = joining.due(0, WITHOUT).orElseThrow();
        assertEquals(new MembershipChange.AddLearner(SELF, Optional.of(AT)), first.change());
        assertTrue(joining.due(JoinRequests.FIRST_BACKOFF_NANOS - 1, WITHOUT).isEmpty(), "one at a time");
        assertTrue(joining.due(JoinRequests.FIRST_BACKOFF_NANOS, WITHOUT).isPresent());
        long second = JoinRequests.FIRST_BACKOFF_NANOS;
        assertTrue(
                joining.due(second + 2 * JoinRequests.FIRST_BACKOFF_NANOS - 1, WITHOUT)
                        .isEmpty(),
                "backs off");
        assertTrue(joining.due(second + 2 * JoinRequests.FIRST_BACKOFF_NANOS, WITHOUT)
                .isPresent());

        long later = 1_000 * JoinRequests.MAX_BACKOFF_NANOS;
        assertTrue(joining.due(later, WITH).isEmpty(), "a member asks no more");
        assertTrue(joining.due(later * 2, WITHOUT).isEmpty(), "not even once removed again, in this life");
        assertEquals(3, joining.attempts());
    }

    @Test
    void theWaitNeverExceedsTheMaximum() {
        JoinRequests joining = new JoinRequests("g", SELF, AT, false);
        long now = 0;
        for (int i = 0; i < 20; i++) {
            assertTrue(joining.due(now, WITHOUT).isPresent(), "attempt " + i + " at " + now);
            now += JoinRequests.MAX_BACKOFF_NANOS;
        }
    }

    @Test
    void aMemberItsOwnLogShowsRemovedNeverAsks() {
        JoinRequests removed = new JoinRequests("g", SELF, AT, true);
        assertTrue(removed.due(0, WITHOUT).isEmpty());
        assertTrue(removed.due(JoinRequests.MAX_BACKOFF_NANOS * 10, WITHOUT).isEmpty());
        assertEquals(0, removed.attempts());
    }
}
