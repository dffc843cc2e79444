package dev.shortener.redirect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Finds the link behind a short code: near cache, then Redis, then PostgreSQL by the unique
 * index (through the redirect's own pool), filling both caches on the way back. Unknown codes are cached as {@link
 * CachedLink#ABSENT} and inactive links as inactive, so neither reaches the database again soon.
 */
@Component
class LinkResolver {

    private final NearCache near;
    private final RedisLinkStore redis;
    private final JdbcClient db;
    private final Counter nearHits;
    private final Counter nearMisses;
    private final Outcomes fromNear;
    private final Outcomes fromRedis;
    private final Outcomes fromDatabase;

    LinkResolver(NearCache near, RedisLinkStore redis, @Qualifier("redirectJdbc") JdbcClient db, MeterRegistry meters) {
        this.near = near;
        this.redis = redis;
        this.db = db;
        this.nearHits = cacheRequests(meters, "hit");
        this.nearMisses = cacheRequests(meters, "miss");
        Counter notFound = redirects(meters, "not_found");
        Counter inactive = redirects(meters, "inactive");
        this.fromNear = new Outcomes(redirects(meters, "near_hit"), notFound, inactive);
        this.fromRedis = new Outcomes(redirects(meters, "redis_hit"), notFound, inactive);
        this.fromDatabase = new Outcomes(redirects(meters, "db_hit"), notFound, inactive);
        near.loadWith(this::belowNear);
    }

    /** The link for a well-formed code, {@link CachedLink#ABSENT} when there is none. */
    CachedLink resolve(String code) {
        CachedLink link = near.get(code);
        if (link != null) {
            nearHits.increment();
            return fromNear.count(link);
        }
        nearMisses.increment();
        long taken = near.stamp();
        link = redis.get(code);
        // refused: this instance holds a newer state than Redis (its change is still on the way there)
        if (link != null && near.put(code, link, taken)) {
            return fromRedis.count(link);
        }
        link = fromDatabase(code);
        near.put(code, link, taken);
        return fromDatabase.count(link);
    }

    /** The background refresh of a near-cache entry: Redis, else PostgreSQL (not a redirect, so not counted). */
    private CachedLink belowNear(String code) {
        CachedLink link = redis.get(code);
        return link != null ? link : fromDatabase(code);
    }

    private CachedLink fromDatabase(String code) {
        CachedLink link = load(code);
        redis.put(code, link);
        return link;
    }

    private CachedLink load(String code) {
        return db.sql("SELECT u.id, u.user_id, u.original_url, u.is_active, b.url_id IS NOT NULL, u.version FROM urls u"
                        + " LEFT JOIN link_blocks b ON b.url_id = u.id WHERE u.short_code = ?")
                .param(code)
                .query((row, n) -> CachedLink.of(
                        row.getLong(1),
                        row.getObject(2, Long.class),
                        row.getString(3),
                        row.getBoolean(4),
                        row.getBoolean(5),
                        row.getLong(6)))
                .optional()
                .orElse(CachedLink.ABSENT);
    }

    private static Counter cacheRequests(MeterRegistry meters, String result) {
        return Counter.builder("shortener.cache.requests")
                .description("Link cache lookups by level and result")
                .tag("level", "near")
                .tag("result", result)
                .register(meters);
    }

    private static Counter redirects(MeterRegistry meters, String outcome) {
        return Counter.builder("shortener.redirects")
                .description("Redirect lookups by outcome: the level that answered, or why there is no redirect")
                .tag("outcome", outcome)
                .register(meters);
    }

    /** The outcome counters of one cache level, so the hot path never looks a meter up. */
    private record Outcomes(Counter redirected, Counter notFound, Counter inactive) {
        CachedLink count(CachedLink link) {
            (link.active() ? redirected : link.absent() ? notFound : inactive).increment();
            return link;
        }
    }
}
