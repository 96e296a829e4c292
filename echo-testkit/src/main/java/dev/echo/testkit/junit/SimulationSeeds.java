package dev.echo.testkit.junit;

import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The JUnit 5 extension behind {@link SimulationTest}: one invocation per seed, each resolving the method's
 * {@code long} parameter to its seed; the system property {@code echo.sim.seed} narrows the run to one seed.
 *
 * <p>Threading: as JUnit calls it; holds no state.
 */
public final class SimulationSeeds implements TestTemplateInvocationContextProvider {
    /** The system property that replays one seed. */
    public static final String SEED_PROPERTY = "echo.sim.seed";

    /** Created by JUnit. */
    public SimulationSeeds() {}

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod()
                .map(m -> m.isAnnotationPresent(SimulationTest.class))
                .orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        SimulationTest settings = context.getRequiredTestMethod().getAnnotation(SimulationTest.class);
        String only = System.getProperty(SEED_PROPERTY);
        LongStream seeds = only != null
                ? LongStream.of(Long.parseLong(only.trim()))
                : LongStream.range(settings.firstSeed(), settings.firstSeed() + settings.seeds());
        return seeds.mapToObj(Seed::new);
    }

    /** One seed's invocation. */
    private record Seed(long seed) implements TestTemplateInvocationContext, ParameterResolver {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "seed " + seed;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(this);
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == long.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return seed;
        }
    }
}
