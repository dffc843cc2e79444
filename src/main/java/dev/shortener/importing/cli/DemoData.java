package dev.shortener.importing.cli;

import dev.shortener.importing.job.CsvImporter;
import dev.shortener.importing.job.ImportReport;
import dev.shortener.importing.load.Entity;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * With {@code DEMO_DATA=true}, loads a small generated set of users, urls and events at startup,
 * through the importer, when the database holds none of them yet.
 */
@Component
@ConditionalOnBooleanProperty("shortener.demo-data")
public class DemoData implements ApplicationRunner {

    static final SeedGenerator.Sizes SIZES = new SeedGenerator.Sizes(25, 100, 300);
    private static final long SEED = 2026;
    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    private final JdbcClient db;
    private final CsvImporter importer;

    DemoData(JdbcClient db, CsvImporter importer) {
        this.db = db;
        this.importer = importer;
    }

    @Override
    public void run(ApplicationArguments args) {
        loadIfEmpty();
    }

    /** Loads the demo set unless users, urls or events exist; true when it loaded. */
    boolean loadIfEmpty() {
        boolean empty = db.sql("SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM urls)"
                        + " AND NOT EXISTS (SELECT 1 FROM events)")
                .query(Boolean.class)
                .single();
        if (!empty) {
            log.info("Demo data not loaded: the database already holds data");
            return false;
        }
        StringWriter users = new StringWriter();
        StringWriter urls = new StringWriter();
        StringWriter events = new StringWriter();
        try {
            new SeedGenerator(SEED).write(SIZES, users, urls, events, new LongAdder());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ImportReport> reports = List.of(
                importer.importFile(Entity.USERS, users.toString()),
                importer.importFile(Entity.URLS, urls.toString()),
                importer.importFile(Entity.EVENTS, events.toString()));
        log.info(
                "Demo data loaded: {} users, {} urls, {} events",
                reports.get(0).imported(),
                reports.get(1).imported(),
                reports.get(2).imported());
        return true;
    }
}
