package dev.shortener;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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

    /** A class that needs more is doing more than one job. */
    @Test
    void noSourceFileIsLongerThan250Lines() throws IOException {
        List<String> longer;
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            longer = sources.filter(path -> path.toString().endsWith(".java"))
                    .filter(path -> lines(path) > 250)
                    .map(path -> path + " (" + lines(path) + " lines)")
                    .toList();
        }
        assertThat(longer).isEmpty();
    }

    private static long lines(Path source) {
        try (Stream<String> lines = Files.lines(source)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
