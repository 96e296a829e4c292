package dev.echo.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.protocol.ProtocolOptions;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The application's settings and views become the protocol's, and back, without changing their meaning. */
class ProtocolTranslationProperties {
    private static final long TEN_MILLIS = Duration.ofMillis(10).toNanos();

    @Example
    void theDefaultTuningAtTheDefaultTickIsTheProtocolsDefaults() {
        assertEquals(ProtocolOptions.defaults(), ProtocolTranslation.protocolOptions(Tuning.defaults(), TEN_MILLIS));
    }

    /**
     * Whatever the tick, a valid tuning either becomes options that keep its relations (ProtocolOptions validates
     * them) or is refused with a message naming the tick: never an unrelated failure.
     */
    @Property
    void anyValidTuningFitsAnyTickOrIsRefusedByName(
            @ForAll @IntRange(min = 2, max = 2_000) int electionMinMillis,
            @ForAll @IntRange(min = 1, max = 2_000) int electionSpreadMillis,
            @ForAll @IntRange(min = 1, max = 1_000) int heartbeatMillis,
            @ForAll @IntRange(min = 1, max = 100) int tickMillis) {
        Assume.that(heartbeatMillis * 2 <= electionMinMillis);
        Duration electionMax = Duration.ofMillis(electionMinMillis + electionSpreadMillis);
        Tuning tuning = Tuning.defaults() // the suspect timeout first: it must stay twice the election timeout
                .withDynamicVoting(Duration.ofMillis(8_000), Duration.ofSeconds(1))
                .withTimeouts(Duration.ofMillis(electionMinMillis), electionMax, Duration.ofMillis(heartbeatMillis));
        long tick = Duration.ofMillis(tickMillis).toNanos();
        try {
            ProtocolOptions options = ProtocolTranslation.protocolOptions(tuning, tick);
            assertTrue((long) options.electionTimeoutMinTicks() * tick
                    >= tuning.electionTimeoutMin().toNanos());
            assertTrue((long) options.heartbeatTicks() * tick
                    <= Math.max(tick, tuning.heartbeat().toNanos()));
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage().contains("tick"), refused.getMessage());
        }
    }

    @Example
    void aViewSurvivesTheRoundTripThroughAConfiguration() {
        View view = new View(
                List.of(new View.Member(MemberId.of("a"), 3), new View.Member(MemberId.of("b"), 1)),
                new TreeSet<>(List.of(MemberId.of("c"))),
                List.of(),
                0);
        assertEquals(view, ProtocolTranslation.view(ProtocolTranslation.configuration(view), 0));
    }

    @Example
    void aViewRefusesAVoterListedTwiceOrAlsoALearner() {
        View.Member a = new View.Member(MemberId.of("a"), 1);
        assertThrows(IllegalArgumentException.class, () -> new View(List.of(a, a), new TreeSet<>(), List.of(), 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new View(List.of(a), new TreeSet<>(List.of(a.id())), List.of(), 0));
    }
}
