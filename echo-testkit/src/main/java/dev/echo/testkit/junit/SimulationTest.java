package dev.echo.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit 5 test method once per seed, passing the seed as its {@code long} parameter:
 *
 * <pre>{@code
 * @SimulationTest(seeds = 200)
 * void configMapSurvivesFaults(long seed) {
 *     SIMULATION.assertPasses(seed);
 * }
 * }</pre>
 *
 * Each seed is its own test, named {@code seed N}. To replay one failing seed alone, run the test with the system
 * property {@code echo.sim.seed=N} (for example {@code mvn test -Dtest=MyTest -Decho.sim.seed=N}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(SimulationSeeds.class)
public @interface SimulationTest {
    /** How many seeds, from {@link #firstSeed()} on. */
    int seeds() default 100;

    /** The first seed. */
    long firstSeed() default 1;
}
