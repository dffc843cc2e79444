package dev.shortener.event;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The event log's partitions (ADR 0020) and the fold of its clicks (ADR 0018).
 *
 * @param retention how long events are kept, a month's partition at a time; null keeps every event
 * @param partitionInterval how often partitions are attached ahead, the id sequence moved into the
 *     month's range and, with a retention, old partitions dropped
 * @param foldInterval how often stored clicks are folded into the click rollup
 */
@ConfigurationProperties("shortener.events")
record EventLogSettings(
        @Nullable Duration retention,
        @DefaultValue("10m") Duration partitionInterval,
        @DefaultValue("1s") Duration foldInterval) {

    EventLogSettings {
        if (retention != null && (retention.isNegative() || retention.isZero())) {
            throw new IllegalArgumentException(
                    "shortener.events.retention (EVENTS_RETENTION) must be positive or empty");
        }
        if (partitionInterval.isNegative() || partitionInterval.isZero()) {
            throw new IllegalArgumentException("shortener.events.partition-interval must be positive");
        }
        if (foldInterval.isNegative() || foldInterval.isZero()) {
            throw new IllegalArgumentException(
                    "shortener.events.fold-interval (EVENTS_FOLD_INTERVAL) must be positive");
        }
    }
}
