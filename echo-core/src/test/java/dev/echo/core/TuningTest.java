package dev.echo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TuningTest {
    @Test
    void longerTimeoutsStretchTheSuspicionTimeoutSoCallOrderDoesNotMatter() {
        Tuning tuning =
                Tuning.defaults().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(6), Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(12), tuning.suspectAfter());
        assertEquals(
                tuning,
                Tuning.defaults()
                        .withDynamicVoting(
                                Duration.ofSeconds(12), Tuning.defaults().readmitAfter())
                        .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(6), Duration.ofSeconds(1)));
    }

    @Test
    void shorterTimeoutsKeepTheSuspicionTimeout() {
        Tuning tuning =
                Tuning.defaults().withTimeouts(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(20));
        assertEquals(Tuning.defaults().suspectAfter(), tuning.suspectAfter());
    }

    @Test
    void anExplicitSuspicionTimeoutTooShortIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Tuning.defaults()
                .withDynamicVoting(Duration.ofMillis(500), Duration.ofSeconds(1)));
        assertEquals("suspectAfter must be at least twice electionTimeoutMax", refused.getMessage());
    }
}
