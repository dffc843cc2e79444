package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.load.Entity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The import meters, all registered at startup so that they are scraped before the first job:
 * rows imported and failed per entity, jobs completed and failed, rows dead-lettered, and the
 * dead-letter queue's depth (read from PostgreSQL, so every instance reports the same depth).
 */
@Component
public class ImportMetrics implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ImportMetrics.class);

    private final Map<Entity, Counter> imported = new EnumMap<>(Entity.class);
    private final Map<Entity, Counter> failed = new EnumMap<>(Entity.class);
    private final Counter completed;
    private final Counter jobsFailed;
    private final Counter deadLettered;
    private final AtomicLong deadLetters = new AtomicLong();
    private final JdbcClient db;
    private final Duration refreshInterval;
    private @Nullable ScheduledExecutorService refresher;

    ImportMetrics(MeterRegistry registry, JdbcClient db, ImportSettings settings) {
        this.db = db;
        this.refreshInterval = settings.sweepInterval();
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

    @Override
    public synchronized void start() {
        refresher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("import-metrics").daemon().factory());
        refresher.scheduleWithFixedDelay(
                this::refreshDeadLetters, 0, refreshInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return refresher != null;
    }

    /** Reads the dead-letter queue's depth again; on failure the last value stays. */
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
