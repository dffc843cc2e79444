package dev.shortener.redirect;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tuning of the redirect path: the in-process near cache, the Redis level, cross-instance
 * invalidation and the Redis circuit breaker.
 *
 * @param nearCacheSize most links kept in each instance's memory
 * @param nearCacheTtl longest an instance keeps its copy of a link
 * @param nearCacheRefresh age after which a copy that is still read is reloaded in the background
 *     (the reader gets the copy at once); bounds staleness when an invalidation message is lost
 * @param nearNegativeTtl how long an instance remembers that a code is unknown
 * @param redisTtl lifetime of {@code link:{code}} in Redis (a TTL lets {@code volatile-lru} evict)
 * @param redisNegativeTtl lifetime of an "unknown code" marker in Redis
 * @param invalidationChannel pub/sub channel carrying the codes of changed links
 * @param invalidationHeartbeat how often each instance publishes a heartbeat on the channel; an
 *     instance that does not hear, within two of these, a heartbeat Redis accepted stops serving
 *     near-cache copies until it hears the channel again, and subscribes anew after five
 * @param circuitFailureThreshold consecutive Redis failures that open the circuit
 * @param circuitProbeInterval how often an open circuit pings Redis to close again
 * @param fastPath answer redirects in a Tomcat valve ahead of the servlet filters and Spring MVC
 *     (the valve of {@code redirect.tomcat}, ADR 0003)
 * @param dbPoolSize connections of the redirect's own pool (lookups of codes no cache holds)
 * @param dbConnectionTimeout longest a lookup waits for one of them before the redirect answers 503
 * @param dbStatementTimeout longest a lookup may run in PostgreSQL
 */
@ConfigurationProperties("shortener.redirect")
record RedirectSettings(
        @DefaultValue("200000") long nearCacheSize,
        @DefaultValue("10m") Duration nearCacheTtl,
        @DefaultValue("2m") Duration nearCacheRefresh,
        @DefaultValue("10s") Duration nearNegativeTtl,
        @DefaultValue("1h") Duration redisTtl,
        @DefaultValue("30s") Duration redisNegativeTtl,
        @DefaultValue("shortener:link-invalidations") String invalidationChannel,
        @DefaultValue("200ms") Duration invalidationHeartbeat,
        @DefaultValue("3") int circuitFailureThreshold,
        @DefaultValue("1s") Duration circuitProbeInterval,
        @DefaultValue("true") boolean fastPath,
        @DefaultValue("8") int dbPoolSize,
        @DefaultValue("500ms") Duration dbConnectionTimeout,
        @DefaultValue("1s") Duration dbStatementTimeout) {

    RedirectSettings {
        if (nearCacheSize < 1 || circuitFailureThreshold < 1 || !invalidationHeartbeat.isPositive() || dbPoolSize < 1) {
            throw new IllegalArgumentException(
                    "shortener.redirect.near-cache-size, circuit-failure-threshold, invalidation-heartbeat and"
                            + " db-pool-size must be positive");
        }
    }
}
