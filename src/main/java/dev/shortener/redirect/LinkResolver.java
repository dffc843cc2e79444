package dev.shortener.redirect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Finds the link behind a short code: near cache, then Redis, then PostgreSQL ({@link LinkLoader}),
 * filling both caches on the way back, and counts where each redirect was answered. Unknown codes
 * are cached as {@link CachedLink#ABSENT} and inactive links as inactive, so neither reaches the
 * database again soon.
 */
@Component
public class LinkResolver {

    private final NearCache near;
    private final RedisLinkStore redis;
    private final LinkLoader loader;
    private final Counter nearHits;
    private final Counter nearMisses;
    private final Outcomes fromNear;
    private final Outcomes fromRedis;
    private final Outcomes fromDatabase;

    LinkResolver(NearCache near, RedisLinkStore redis, LinkLoader loader, MeterRegistry meters) {
        this.near = near;
        this.redis = redis;
        this.loader = loader;
        this.nearHits = cacheRequests(meters, "hit");
        this.nearMisses = cacheRequests(meters, "miss");
        Counter notFound = redirects(meters, "not_found");
        Counter inactive = redirects(meters, "inactive");
        this.fromNear = new Outcomes(redirects(meters, "near_hit"), notFound, inactive);
        this.fromRedis = new Outcomes(redirects(meters, "redis_hit"), notFound, inactive);
        this.fromDatabase = new Outcomes(redirects(meters, "db_hit"), notFound, inactive);
    }

    /** The link for a well-formed code, {@link CachedLink#ABSENT} when there is none. */
    public CachedLink resolve(String code) {
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
        link = loader.fromDatabase(code);
        near.put(code, link, taken);
        return fromDatabase.count(link);
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
