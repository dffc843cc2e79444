package dev.shortener.importing.job;

import dev.shortener.importing.load.Entity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The import meters, all registered at startup so that they are scraped before the first job:
 * rows imported and failed per entity, jobs completed and failed, rows dead-lettered, and the
 * dead-letter queue's depth (read from PostgreSQL every IMPORT_SWEEP_INTERVAL, so every instance
 * reports the same depth).
 */
@Component
public class ImportMetrics {

    private static final Logger log = LoggerFactory.getLogger(ImportMetrics.class);

    private final Map<Entity, Counter> imported = new EnumMap<>(Entity.class);
    private final Map<Entity, Counter> failed = new EnumMap<>(Entity.class);
    private final Counter completed;
    private final Counter jobsFailed;
    private final Counter deadLettered;
    private final AtomicLong deadLetters = new AtomicLong();
    private final JdbcClient db;

    ImportMetrics(MeterRegistry registry, JdbcClient db) {
        this.db = db;
        for (Entity entity : Entity.values()) {
            imported.put(entity, rows(registry, entity, "imported"));
            failed.put(entity, rows(registry, entity, "failed"));
        }
        completed = jobs(registry, ImportJob.COMPLETED);
        jobsFailed = jobs(registry, ImportJob.FAILED);
        deadLettered = Counter.builder("shortener.import.dead.lettered")
                .description("Rows that failed every attempt and were dead-lettered")
                .register(registry);
        Gauge.builder("shortener.import.dead.letters", deadLetters, AtomicLong::get)
                .description("Dead letters waiting for an operator (replay or discard)")
                .register(registry);
    }

    private static Counter rows(MeterRegistry registry, Entity entity, String outcome) {
        return Counter.builder("shortener.import.rows")
                .description("Rows of import files processed, by outcome")
                .tag("entity", entity.table())
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Counter jobs(MeterRegistry registry, String state) {
        return Counter.builder("shortener.import.jobs")
                .description("Import jobs finished, by final state")
                .tag("state", state)
                .register(registry);
    }

    void rows(Entity entity, long importedRows, long failedRows) {
        imported.get(entity).increment(importedRows);
        failed.get(entity).increment(failedRows);
    }

    void finished(ImportJob job) {
        (job.state().equals(ImportJob.COMPLETED) ? completed : jobsFailed).increment();
    }

    void deadLettered(int rows) {
        deadLettered.increment(rows);
        refreshDeadLetters();
    }

    /** Reads the dead-letter queue's depth again; on failure the last value stays. */
    @Scheduled(fixedDelayString = "${shortener.importing.sweep-interval}")
    void refreshDeadLetters() {
        try {
            deadLetters.set(db.sql("SELECT count(*) FROM import_failures WHERE dead")
                    .query(Long.class)
                    .single());
        } catch (RuntimeException e) {
            log.debug("Dead-letter depth not refreshed: {}", e.toString());
        }
    }
}
