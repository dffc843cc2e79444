package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/** The feature packages are modules whose dependencies Spring Modulith verifies and draws. */
class ModulesTest {

    private static final ApplicationModules MODULES = ApplicationModules.of(ShortenerApplication.class);
    private static final Path COMMITTED = Path.of("docs/modules");

    @Test
    void modulesOnlyUseEachOthersPublishedTypesAndHaveNoCycles() {
        MODULES.verify();
    }

    /** The diagrams in docs/modules are the code's: copy target/modules there when this fails. */
    @Test
    void theCommittedModuleDiagramsAreTheCodes() throws IOException {
        Path drawn = Path.of("target/modules");
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(drawn.toString()))
                .writeModulesAsPlantUml()
                .writeIndividualModulesAsPlantUml();

        assertThat(names(COMMITTED)).isEqualTo(names(drawn));
        for (String name : names(drawn)) {
            // the generator's order of elements varies from run to run; their set does not
            assertThat(sortedLines(COMMITTED.resolve(name)))
                    .as("docs/modules/%s against target/modules/%s", name, name)
                    .isEqualTo(sortedLines(drawn.resolve(name)));
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".puml"))
                    .sorted()
                    .toList();
        }
    }

    private static List<String> sortedLines(Path file) throws IOException {
        return Files.readAllLines(file).stream().sorted().toList();
    }
}
