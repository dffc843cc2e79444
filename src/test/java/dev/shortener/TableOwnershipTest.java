package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
            Map.entry("click_counts", "event"),
            Map.entry("event_tallies", "event"),
            Map.entry("click_journals", "event"),
            Map.entry("import_jobs", "importing"),
            Map.entry("import_chunks", "importing"),
            Map.entry("import_failures", "importing"));

    private static final Set<String> BULK_LOADED = Set.of("users", "urls", "events");

    private static final Pattern WRITE =
            Pattern.compile("\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|COPY)\\s+([a-z_]+)");
    private static final Pattern CREATE = Pattern.compile("CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)");
    private static final Pattern RENAMED = Pattern.compile("ALTER TABLE ([a-z_]+) RENAME TO");

    @Test
    void everyTableHasAnOwner() {
        Set<String> tables = matches(MIGRATIONS, CREATE, ".sql");
        // a table built to replace another takes its name (V21)
        tables.removeAll(matches(MIGRATIONS, RENAMED, ".sql"));
        assertThat(OWNERS.keySet()).containsExactlyInAnyOrderElementsOf(tables);
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

    private static Set<String> matches(Path root, Pattern pattern, String suffix) {
        Set<String> found = new TreeSet<>();
        for (Path file : files(root, suffix)) {
            Matcher matcher = pattern.matcher(read(file));
            while (matcher.find()) {
                found.add(matcher.group(1));
            }
        }
        return found;
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
