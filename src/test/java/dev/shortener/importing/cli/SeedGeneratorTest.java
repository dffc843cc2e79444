package dev.shortener.importing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.importing.csv.CsvFile;
import dev.shortener.importing.load.CsvLine;
import dev.shortener.importing.load.Entity;
import dev.shortener.importing.load.EventRow;
import dev.shortener.importing.load.Row;
import dev.shortener.importing.load.UrlRow;
import dev.shortener.importing.load.UserRow;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

public class SeedGeneratorTest {

    /** The three generated files as text. */
    public record Files(String users, String urls, String events) {}

    public static Files generate(int users, int urls, int events, long seed) {
        StringWriter u = new StringWriter();
        StringWriter l = new StringWriter();
        StringWriter e = new StringWriter();
        java.util.concurrent.atomic.LongAdder written = new java.util.concurrent.atomic.LongAdder();
        try {
            new SeedGenerator(seed).write(new SeedGenerator.Sizes(users, urls, events), u, l, e, written);
        } catch (java.io.IOException x) {
            throw new AssertionError(x);
        }
        Files files = new Files(u.toString(), l.toString(), e.toString());
        assertThat(written.sum())
                .as("records counted for the progress line, headers aside")
                .isEqualTo(files.users().lines().count()
                        + files.urls().lines().count()
                        + files.events().lines().count()
                        - 3);
        return files;
    }

    /** Every record of a file read as rows of the entity; fails on any invalid row. */
    public static List<Row> rows(Entity entity, String csv) {
        List<Row> rows = new ArrayList<>();
        try (CsvFile file = new CsvFile(new StringReader(csv))) {
            file.header();
            for (CsvFile.Record record = file.next(); record != null; record = file.next()) {
                CsvLine line = new CsvLine(record.line(), file.columns(), record.values());
                Row row = entity.read(line);
                assertThat(row).as("line %d: %s", line.line(), line.problems()).isNotNull();
                rows.add(row);
            }
        } catch (Exception x) {
            throw new AssertionError(x);
        }
        return rows;
    }

    @Test
    void theSameSeedWritesTheSameFilesAndAnotherSeedOthers() {
        assertThat(generate(50, 100, 200, 7)).isEqualTo(generate(50, 100, 200, 7));
        assertThat(generate(50, 100, 200, 8).users())
                .isNotEqualTo(generate(50, 100, 200, 7).users());
    }

    @Test
    void usersRepeatUsernamesButNeverEmailAddresses() {
        List<Row> users = rows(Entity.USERS, generate(400, 0, 0, 42).users());

        assertThat(users).hasSize(400);
        List<String> usernames =
                users.stream().map(r -> ((UserRow) r).username()).toList();
        assertThat(new HashSet<>(usernames)).hasSizeLessThan(380);
        Set<String> emails = new HashSet<>();
        users.forEach(r -> emails.add(((UserRow) r).email().toLowerCase(Locale.ROOT)));
        assertThat(emails).hasSize(400);
        assertThat(users.stream().map(Row::id)).containsExactlyElementsOf(range(1, 400));
    }

    @Test
    void urlsWriteTrueAndFalseAndHaveUniqueShortCodes() {
        Files files = generate(20, 500, 0, 3);
        List<Row> urls = rows(Entity.URLS, files.urls());

        assertThat(files.urls()).contains(",True,").contains(",False,");
        assertThat(urls.stream().map(r -> ((UrlRow) r).shortCode()).distinct()).hasSize(500);
        assertThat(urls).allSatisfy(r -> assertThat(((UrlRow) r).userId()).isBetween(1L, 20L));
    }

    @Test
    void eventsStartWithACreatedEventPerUrlAndQuoteTheirJsonDetails() {
        Files files = generate(10, 30, 100, 5);
        List<Row> events = rows(Entity.EVENTS, files.events());

        assertThat(events).hasSize(100);
        assertThat(events.subList(0, 30))
                .allSatisfy(e -> assertThat(((EventRow) e).eventType()).isEqualTo("created"));
        assertThat(events.subList(30, 100))
                .allSatisfy(e -> assertThat(((EventRow) e).eventType()).isIn("updated", "deleted"));
        assertThat(files.events().lines().skip(1).findFirst().orElseThrow())
                .matches(
                        "1,1,\\d+,created,\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\"\\{\"\"short_code\"\":\"\"\\w+\"\","
                                + "\"\"original_url\"\":\"\"https://[^\"]+\"\"}\"");
    }

    private static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            ids.add(i);
        }
        return ids;
    }
}
