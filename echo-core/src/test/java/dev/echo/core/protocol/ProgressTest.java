package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressTest {
    /**
     * A leader that hears a follower's new incarnation starts a fresh progress past the end of its log (PROTOCOL.md
     * §5). If that follower's answer acknowledges less, pipelining must resume from there: nothing is in flight that
     * would time out and bring the leader back.
     */
    @Test
    void anAcknowledgementBehindAFreshProgressRestartsPipeliningAfterIt() {
        Progress fresh = new Progress(3_130, 0);

        fresh.acknowledged(512);

        assertEquals(Progress.State.REPLICATE, fresh.state());
        assertEquals(513, fresh.nextIndex());
    }

    @Test
    void anAcknowledgementInThePipelineKeepsTheEntriesInFlight() {
        Progress progress = new Progress(11, 0);
        progress.acknowledged(10);
        progress.sent(20);
        progress.sent(30);

        progress.acknowledged(20);

        assertEquals(31, progress.nextIndex(), "entries 21..30 are still in flight");
    }
}
