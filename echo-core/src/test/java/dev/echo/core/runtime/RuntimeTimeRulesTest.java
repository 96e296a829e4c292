package dev.echo.core.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.echo.core.NodeClock;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The runtime reads time only from the node's {@code NodeClock}, so that the simulator can run a whole node on
 * simulated time (docs/testing.md). Real time enters at one edge: {@link LoopThread}, which parks its thread until
 * the next tick.
 */
class RuntimeTimeRulesTest {
    private static final JavaClasses RUNTIME = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.echo.core.runtime", "dev.echo.core.node");

    @Test
    void noRuntimeClassReadsTheSystemClock() {
        noClasses()
                .that()
                .areNotAssignableTo(NodeClock.class)
                .should()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .because("the node's time is its NodeClock; only NodeClock.system() reads System.nanoTime")
                .check(RUNTIME);
    }

    @Test
    void onlyTheLoopThreadParks() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(LoopThread.class.getName())
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(LockSupport.class)
                .check(RUNTIME);
    }
}
