package dev.shortener.importing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ShortenerApplication;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Cli cli = new Cli(
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));

    @Test
    void onlyImportAndGenerateAreCommands() {
        assertThat(Cli.handles(new String[] {"import", "users.csv"})).isTrue();
        assertThat(Cli.handles(new String[] {"generate"})).isTrue();
        assertThat(Cli.handles(new String[] {"--server.port=9000"})).isFalse();
        assertThat(Cli.handles(new String[] {})).isFalse();
    }

    @Test
    void generateWritesTheThreeFilesInTheSeedFormat(@TempDir Path dir) throws Exception {
        int status = cli.generate(
                List.of("--users", "30", "--urls=40", "--events", "90", "--out", dir.toString(), "--seed", "9"));

        assertThat(status).isZero();
        assertThat(Files.readAllLines(dir.resolve("users.csv")))
                .hasSize(31)
                .first()
                .isEqualTo(SeedGenerator.USERS_HEADER);
        assertThat(Files.readAllLines(dir.resolve("urls.csv")))
                .hasSize(41)
                .first()
                .isEqualTo(SeedGenerator.URLS_HEADER);
        assertThat(Files.readAllLines(dir.resolve("events.csv")))
                .hasSize(91)
                .first()
                .isEqualTo(SeedGenerator.EVENTS_HEADER);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("30 users, 40 urls, 90 events, seed 9");
    }

    @Test
    void importLoadsTheFilesInOrderWithoutAWebServerAndReportsEachFile(@TempDir Path dir) throws Exception {
        String tag = "cli" + System.nanoTime();
        Path users = dir.resolve("people.csv");
        Files.writeString(
                users,
                "username,email\n" + tag + "a," + tag + "a@example.com\n" + tag + "b," + tag + "b@example.com\n");
        Path urls = dir.resolve("links.csv");
        Files.writeString(urls, "short_code,original_url\n" + tag + ",https://example.com/cli\nx,not a url\n");

        // the tests' embedded PostgreSQL and Redis, as AppInstance shares them
        int status = cli.importFiles(
                ShortenerApplication.class,
                List.of(
                        urls.toString(),
                        users.toString(),
                        "--shortener.embedded.data-dir=target/embedded-test-data",
                        "--shortener.embedded.clean=true"));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isEqualTo(1);
        assertThat(printed)
                .containsSubsequence(
                        "people.csv (users): imported 2, failed 0",
                        "links.csv (urls): imported 1, failed 1",
                        "line 3: ")
                .doesNotContain("\r");
    }

    @Test
    void aBadArgumentIsAUsageError() {
        assertThat(Cli.run(Object.class, new String[] {"generate", "--users", "many"}))
                .isEqualTo(2);
        assertThat(Cli.run(Object.class, new String[] {"generate", "--colour", "blue"}))
                .isEqualTo(2);
        assertThat(Cli.run(Object.class, new String[] {"generate", "--events", "5", "--urls", "0"}))
                .isEqualTo(2);
        assertThat(Cli.run(Object.class, new String[] {"import"})).isEqualTo(2);
        assertThat(Cli.run(Object.class, new String[] {"import", "/no/such/file.csv"}))
                .isEqualTo(2);
    }
}
