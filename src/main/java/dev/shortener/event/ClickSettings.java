package dev.shortener.event;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tuning of the click pipeline (ADR 0002).
 *
 * @param queueCapacity clicks held in memory on their way to the journal; half of it is also the
 *     backlog past which redirects are paced
 * @param batchSize most clicks loaded by one COPY
 * @param flushInterval how often queued clicks are appended to the journal and synced: a {@code
 *     kill -9} loses at most this long's clicks
 * @param paceMax longest pause of a redirect while PostgreSQL is behind; zero turns pacing off
 * @param offerTimeout how long a redirect waits for room in a full queue before its click is dropped
 * @param journalDir where the click journal's slots live
 * @param journalMax journal size past which new clicks are dropped (and counted)
 * @param journalSegment size at which the journal starts a new segment file
 * @param copyTimeout statement and network timeout of each COPY
 * @param retryBackoff pause after a failed load, doubled after each further failure
 * @param retryBackoffMax longest pause between two attempts to load
 * @param flushTimeout longest {@link ClickRecorder#flush()} waits for PostgreSQL
 * @param drainTimeout longest a stopping instance keeps loading its journal
 */
@ConfigurationProperties("shortener.clicks")
record ClickSettings(
        @DefaultValue("16384") int queueCapacity,
        @DefaultValue("4000") int batchSize,
        @DefaultValue("20ms") Duration flushInterval,
        @DefaultValue("5ms") Duration paceMax,
        @DefaultValue("200ms") Duration offerTimeout,
        @DefaultValue("data/clicks") Path journalDir,
        @DefaultValue("1GB") DataSize journalMax,
        @DefaultValue("16MB") DataSize journalSegment,
        @DefaultValue("10s") Duration copyTimeout,
        @DefaultValue("100ms") Duration retryBackoff,
        @DefaultValue("1s") Duration retryBackoffMax,
        @DefaultValue("5s") Duration flushTimeout,
        @DefaultValue("10s") Duration drainTimeout) {

    ClickSettings {
        if (queueCapacity < 2 || batchSize < 1) {
            throw new IllegalArgumentException(
                    "shortener.clicks.queue-capacity must be at least 2 and batch-size positive");
        }
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("shortener.clicks.flush-interval must be positive");
        }
    }
}
