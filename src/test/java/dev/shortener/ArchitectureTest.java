package dev.shortener;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The feature packages depend on each other in one direction only. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.shortener");

    @Test
    void featurePackagesHaveNoCycles() {
        slices().matching("dev.shortener.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noFeatureKnowsTheWebApplication() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.shortener.web..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.shortener.web..")
                .check(CLASSES);
    }

    @Test
    void platformKnowsNoFeature() {
        noClasses()
                .that()
                .resideInAPackage("dev.shortener.platform..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.shortener.identity..",
                        "dev.shortener.abuse..",
                        "dev.shortener.user..",
                        "dev.shortener.link..",
                        "dev.shortener.event..",
                        "dev.shortener.redirect..",
                        "dev.shortener.importing..")
                .check(CLASSES);
    }

    @Test
    void abuseControlDependsOnlyOnLinksAndIdentity() {
        noClasses()
                .that()
                .resideInAPackage("dev.shortener.abuse..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.shortener.event..", "dev.shortener.redirect..", "dev.shortener.importing..")
                .check(CLASSES);
    }

    @Test
    void identityKnowsNoFeature() {
        noClasses()
                .that()
                .resideInAPackage("dev.shortener.identity..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.shortener.user..",
                        "dev.shortener.link..",
                        "dev.shortener.event..",
                        "dev.shortener.redirect..",
                        "dev.shortener.importing..")
                .check(CLASSES);
    }

    @Test
    void usersKnowNothingOfLinksEventsOrRedirects() {
        noClasses()
                .that()
                .resideInAPackage("dev.shortener.user..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.shortener.link..",
                        "dev.shortener.event..",
                        "dev.shortener.redirect..",
                        "dev.shortener.importing..")
                .check(CLASSES);
    }

    @Test
    void linksDoNotDependOnTheirConsumers() {
        noClasses()
                .that()
                .resideInAPackage("dev.shortener.link..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.shortener.event..", "dev.shortener.redirect..", "dev.shortener.importing..")
                .check(CLASSES);
    }

    @Test
    void theEventLogDoesNotDependOnTheHotPathOrImports() {
        noClasses()
                .that()
                .resideInAPackage("dev.shortener.event..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.shortener.redirect..", "dev.shortener.importing..")
                .check(CLASSES);
    }

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
}
