package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each table has one module that writes it; others read it (the redirect's lookup, the listings)
 * or hear of its changes through events. The importer's bulk load is the one declared exception: it
 * copies users, links and events in (ADR 0013). A new table needs an owner here.
 */
class TableOwnershipTest {

    private static final Path MAIN = Path.of("src/main/java/dev/shortener");
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    private static final Map<String, String> OWNERS = Map.ofEntries(
            Map.entry("users", "user"),
            Map.entry("user_entities", "user"),
            Map.entry("user_credentials", "user"),
            Map.entry("account_links", "user"),
            Map.entry("api_keys", "identity"),
            Map.entry("urls", "link"),
            Map.entry("blocked_domains", "link"),
            Map.entry("click_totals_queue", "link"),
            Map.entry("link_click_totals", "link"),
            Map.entry("link_blocks", "abuse"),
            Map.entry("abuse_reports", "abuse"),
            Map.entry("events", "event"),
            // the rows stored before events was partitioned (V25); later partitions are made at run time
            Map.entry("events_first", "event"),
            Map.entry("dropped_clicks", "event"),
            Map.entry("click_counts", "event"),
            Map.entry("event_tallies", "event"),
            Map.entry("click_journals", "event"),
            Map.entry("click_texts", "event"),
            Map.entry("click_fold", "event"),
            Map.entry("undelivered_link_changes", "redirect"),
            Map.entry("import_jobs", "importing"),
            Map.entry("import_chunks", "importing"),
            Map.entry("import_failures", "importing"));

    private static final Set<String> BULK_LOADED = Set.of("users", "urls", "events");

    private static final Pattern WRITE =
            Pattern.compile("\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|COPY)\\s+([a-z_]+)");
    private static final Pattern CREATE_OR_RENAME =
            Pattern.compile("CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)|ALTER TABLE ([a-z_]+) RENAME TO ([a-z_]+)");
    private static final Pattern VERSION = Pattern.compile("V(\\d+)__");

    @Test
    void everyTableHasAnOwner() {
        // the tables the migrations leave, in their order: a table built to replace another takes
        // its name (V21), one renamed away is kept under its new name (V25)
        Set<String> tables = new TreeSet<>();
        for (Path migration : files(MIGRATIONS, ".sql").stream()
                .sorted(Comparator.comparingInt(TableOwnershipTest::version))
                .toList()) {
            Matcher statement = CREATE_OR_RENAME.matcher(read(migration));
            while (statement.find()) {
                if (statement.group(1) != null) {
                    tables.add(statement.group(1));
                } else {
                    tables.remove(statement.group(2));
                    tables.add(statement.group(3));
                }
            }
        }
        assertThat(OWNERS.keySet()).containsExactlyInAnyOrderElementsOf(tables);
    }

    private static int version(Path migration) {
        Matcher version = VERSION.matcher(migration.getFileName().toString());
        assertThat(version.find()).as(migration.toString()).isTrue();
        return Integer.parseInt(version.group(1));
    }

    @Test
    void onlyItsOwnerWritesATable() {
        Set<String> strangers = new TreeSet<>();
        for (Path source : files(MAIN, ".java")) {
            String module = MAIN.relativize(source).getName(0).toString();
            Matcher write = WRITE.matcher(read(source));
            while (write.find()) {
                String table = write.group(1);
                String owner = OWNERS.get(table);
                boolean bulk = module.equals("importing") && BULK_LOADED.contains(table);
                if (owner != null && !owner.equals(module) && !bulk) {
                    strangers.add(module + " writes " + table + " (" + source.getFileName() + ")");
                }
            }
        }
        assertThat(strangers).isEmpty();
    }

    private static Set<Path> files(Path root, String suffix) {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(path -> path.toString().endsWith(suffix)).collect(TreeSet::new, Set::add, Set::addAll);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
