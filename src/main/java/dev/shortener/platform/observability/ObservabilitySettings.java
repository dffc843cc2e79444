package dev.shortener.platform.observability;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the observability plumbing.
 *
 * @param sqlSlowThreshold a statement taking at least this long is logged with its SQL
 * @param sqlNPlusOneThreshold a request running one statement shape more often than this is an N+1
 * @param quietRoutes routes whose successful access lines are logged at DEBUG (probes, scrapes)
 */
@ConfigurationProperties("shortener.observability")
record ObservabilitySettings(
        @DefaultValue("200ms") Duration sqlSlowThreshold,
        @DefaultValue("10") int sqlNPlusOneThreshold,
        @Nullable List<String> quietRoutes) {

    ObservabilitySettings {
        if (sqlNPlusOneThreshold < 1) {
            throw new IllegalArgumentException("shortener.observability.sql-n-plus-one-threshold must be at least 1");
        }
        quietRoutes = quietRoutes == null ? List.of("/health", "/health/ready") : List.copyOf(quietRoutes);
    }
}
