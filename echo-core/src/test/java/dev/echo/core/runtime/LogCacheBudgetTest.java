package dev.echo.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The node's log cache budget: a fair share for every group, more while the others leave room. */
class LogCacheBudgetTest {

    @Test
    void aLoneGroupMayHoldTheWholeBudget() {
        LogCacheBudget budget = new LogCacheBudget(1_000);
        budget.groupOpened();
        assertEquals(1_000, budget.allowance(0));
        budget.changed(0, 900);
        assertEquals(1_000, budget.allowance(900));
    }

    @Test
    void aBusyGroupGetsWhatAnIdleOneLeavesButAlwaysItsShare() {
        LogCacheBudget budget = new LogCacheBudget(1_000);
        budget.groupOpened();
        budget.groupOpened();
        budget.changed(0, 200); // the idle group
        assertEquals(800, budget.allowance(0), "the room the idle group leaves");
        budget.changed(200, 1_000); // it grew while alone in its passes
        assertEquals(500, budget.allowance(0), "the fair share, whatever the other holds");
        budget.changed(0, 500); // the busy group took its share
        assertEquals(500, budget.allowance(1_000), "so the big one is asked back down to its own");
    }

    @Test
    void aClosedGroupGivesItsBytesBack() {
        LogCacheBudget budget = new LogCacheBudget(1_000);
        budget.groupOpened();
        budget.groupOpened();
        budget.changed(0, 700);
        budget.groupClosed(700);
        assertEquals(0, budget.heldBytes());
        assertEquals(1_000, budget.allowance(0));
    }

    @Test
    void aNegativeBudgetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LogCacheBudget(-1));
    }
}
