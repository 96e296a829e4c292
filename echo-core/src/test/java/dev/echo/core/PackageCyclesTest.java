package dev.echo.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SliceRule;
import org.junit.jupiter.api.Test;

/**
 * echo-core's packages form no cycle (docs/architecture.md, "Packages"): each package is a slice, and a dependency
 * that closes a loop fails the build. The API package {@code dev.echo.core} is at the bottom: it names no other
 * package of Echo, so every other package may use its values, and {@code dev.echo.core.node} wires them all at the
 * top.
 */
class PackageCyclesTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.echo.core");

    private static SliceRule noCycles() {
        return slices().matching("dev.echo.(**)").should().beFreeOfCycles();
    }

    @Test
    void packagesFormNoCycle() {
        noCycles().check(CORE);
    }

    @Test
    void theApiPackageNamesNoOtherPackageOfEcho() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("dev.echo.core")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.echo.core.(*)..");
        rule.check(CORE);
    }

    /** The rule is not vacuous: with the API's values and the node's wiring in one package, it sees the cycle. */
    @Test
    void theRuleSeesACycleWhenTheNodeJoinsTheApiPackage() {
        SliceRule nodeInTheApi = slices().assignedFrom(new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                        String pkg = javaClass.getPackageName();
                        return SliceIdentifier.of(pkg.equals("dev.echo.core.node") ? "dev.echo.core" : pkg);
                    }

                    @Override
                    public String getDescription() {
                        return "packages, with the node's in the API's";
                    }
                })
                .should()
                .beFreeOfCycles();
        assertTrue(nodeInTheApi.evaluate(CORE).hasViolation());
    }
}
