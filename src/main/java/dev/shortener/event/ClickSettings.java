package dev.shortener.event;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tuning of the click pipeline.
 *
 * @param queueCapacity clicks held in memory before callers feel back-pressure
 * @param batchSize most clicks written by one COPY
 * @param writers writer threads, each with its own connection; more than one writes several batches
 *     at once
 * @param flushInterval longest a click waits in the queue while the batch fills
 * @param paceMax longest pause of a redirect while the queue is filling up (at a full queue); zero
 *     turns pacing off
 * @param offerTimeout how long a redirect waits for room in a full queue before writing its click
 *     itself
 * @param retryAttempts tries of a failing batch before its clicks are counted as lost
 * @param retryBackoff pause before the second try, doubled before each further one
 */
@ConfigurationProperties("shortener.clicks")
record ClickSettings(
        @DefaultValue("16384") int queueCapacity,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("1") int writers,
        @DefaultValue("20ms") Duration flushInterval,
        @DefaultValue("5ms") Duration paceMax,
        @DefaultValue("200ms") Duration offerTimeout,
        @DefaultValue("4") int retryAttempts,
        @DefaultValue("100ms") Duration retryBackoff) {

    ClickSettings {
        if (queueCapacity < 1 || batchSize < 1 || writers < 1 || retryAttempts < 1) {
            throw new IllegalArgumentException(
                    "shortener.clicks.queue-capacity, batch-size, writers and retry-attempts must be positive");
        }
    }
}
