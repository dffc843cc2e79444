package dev.shortener;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Inside a module: the import packages depend on each other in the direction of the flow, and only
 * the {@code tomcat} packages know the servlet container. Between modules, ModulesTest verifies the
 * dependencies each module declares.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.shortener");

    @Test
    void importsFlowFromTheEdgesToTheLoader() {
        layeredArchitecture()
                .consideringOnlyDependenciesInAnyPackage("dev.shortener.importing..")
                .layer("csv")
                .definedBy("dev.shortener.importing.csv..")
                .layer("load")
                .definedBy("dev.shortener.importing.load..")
                .layer("job")
                .definedBy("dev.shortener.importing.job..")
                .layer("edges")
                .definedBy("dev.shortener.importing.web..", "dev.shortener.importing.cli..")
                .whereLayer("edges")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("job")
                .mayOnlyBeAccessedByLayers("edges")
                .whereLayer("load")
                .mayOnlyBeAccessedByLayers("job", "edges")
                .check(CLASSES);
    }

    /** The fast path and the connector tuning use Tomcat's own classes; the rest of the code sees the servlet API. */
    @Test
    void onlyTheTomcatPackagesKnowTomcat() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.shortener..tomcat..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.catalina..",
                        "org.apache.tomcat..",
                        "org.apache.coyote..",
                        "org.springframework.boot.tomcat..")
                .check(CLASSES);
    }
}
