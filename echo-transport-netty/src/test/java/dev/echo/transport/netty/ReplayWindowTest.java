package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import org.junit.jupiter.api.Test;

/** The UDP anti-replay window: each datagram once, nothing older than the window or from an earlier life. */
class ReplayWindowTest {
    private static final MemberId B = MemberId.of("b");
    private static final long HORIZON = 1_000;

    private final ReplayWindow window = new ReplayWindow(HORIZON);

    @Test
    void acceptsEachSequenceOnceInAnyOrderWithinTheWindow() {
        assertTrue(window.accept(B, 7, 10, 0));
        assertTrue(window.accept(B, 7, 12, 0));
        assertTrue(window.accept(B, 7, 11, 0));
        assertFalse(window.accept(B, 7, 11, 0));
        assertFalse(window.accept(B, 7, 12, 0));
        assertFalse(window.accept(B, 7, 10, 0));
    }

    @Test
    void rejectsWhatFellOutOfTheWindow() {
        assertTrue(window.accept(B, 7, 1, 0));
        assertTrue(window.accept(B, 7, 1 + ReplayWindow.WIDTH, 0));
        assertFalse(window.accept(B, 7, 1, 0));
        assertTrue(window.accept(B, 7, 2, 0), "still inside the window and never seen");
        assertFalse(window.accept(B, 7, 2, 0));
    }

    @Test
    void slotsReusedAfterTheWindowMovesAreFresh() {
        assertTrue(window.accept(B, 7, 5, 0));
        assertTrue(window.accept(B, 7, 5 + 3 * ReplayWindow.WIDTH, 0));
        assertTrue(window.accept(B, 7, 6 + 2 * ReplayWindow.WIDTH, 0));
        assertFalse(window.accept(B, 7, 6 + 2 * ReplayWindow.WIDTH, 0));
    }

    @Test
    void aNewBootStartsAFreshWindowAndAnOldOneIsRejectedUntilTheHorizon() {
        assertTrue(window.accept(B, 7, 100, 0));
        assertTrue(window.accept(B, 8, 1, 10));
        assertFalse(window.accept(B, 7, 101, 20), "a datagram of the earlier life");
        assertTrue(window.accept(B, 7, 101, 20 + HORIZON + 1), "after the horizon: a sender whose clock stepped back");
    }
}
