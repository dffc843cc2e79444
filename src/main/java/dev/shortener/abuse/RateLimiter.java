package dev.shortener.abuse;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.shortener.platform.Metered.Budget;
import dev.shortener.platform.Problems;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Token buckets (Bucket4j) per budget and caller, shared by every instance through Redis. When
 * Redis fails, each instance counts alone in buckets of its own for a while, so a limit is never
 * off; a caller may then get up to one budget per instance.
 */
@Component
class RateLimiter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
    private static final Duration WINDOW = Duration.ofMinutes(1);

    /** What a budget allows, and the headers that say so (IETF RateLimit fields). */
    record Outcome(boolean allowed, long remaining, long resetSeconds, String policy, String name) {

        void describe(BiConsumer<String, String> headers) {
            headers.accept("RateLimit-Policy", policy);
            headers.accept("RateLimit", "\"" + name + "\";r=" + remaining + ";t=" + resetSeconds);
        }
    }

    private final RateLimitSettings settings;
    private final RedisConnectionFactory redis;
    private final Map<Budget, BucketConfiguration> configurations = new EnumMap<>(Budget.class);
    private final Cache<String, Bucket> local =
            Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(WINDOW).build();
    private volatile @Nullable ProxyManager<String> shared;
    private volatile @Nullable StatefulRedisConnection<String, byte[]> connection;
    private volatile long redisDownUntil;

    RateLimiter(RateLimitSettings settings, RedisConnectionFactory redis) {
        this.settings = settings;
        this.redis = redis;
        limit(Budget.READS, settings.reads());
        limit(Budget.WRITES, settings.writes());
        limit(Budget.SIGN_IN, settings.signIns());
        limit(Budget.UNKNOWN_CODES, settings.unknownCodes());
    }

    private void limit(Budget budget, int perMinute) {
        if (perMinute > 0) {
            configurations.put(
                    budget,
                    BucketConfiguration.builder()
                            .addLimit(Bandwidth.builder()
                                    .capacity(perMinute)
                                    .refillGreedy(perMinute, WINDOW)
                                    .build())
                            .build());
        }
    }

    /** Takes one token of {@code budget} for {@code caller}; null when the budget is off. */
    @Nullable
    Outcome take(Budget budget, String caller) {
        BucketConfiguration configuration = configurations.get(budget);
        if (configuration == null) {
            return null;
        }
        String name = budget.name().toLowerCase(Locale.ROOT).replace('_', '-');
        long capacity = configuration.getBandwidths()[0].getCapacity();
        // the limit is part of the key: instances with another limit (a deploy that changes it) keep apart
        String key = "shortener:rate:" + name + ":" + capacity + ":" + caller;
        ConsumptionProbe probe = probe(key, configuration);
        long reset = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
        return new Outcome(
                probe.isConsumed(),
                probe.getRemainingTokens(),
                probe.isConsumed() ? WINDOW.toSeconds() : reset,
                "\"" + name + "\";q=" + capacity + ";w=" + WINDOW.toSeconds(),
                name);
    }

    /** The 429 answer to a refused outcome. */
    static ErrorResponseException refusal(Outcome outcome) {
        ErrorResponseException refused = Problems.problem(
                HttpStatus.TOO_MANY_REQUESTS,
                "Too many requests (" + outcome.name() + "); try again in " + outcome.resetSeconds() + " s");
        outcome.describe(refused.getHeaders()::set);
        refused.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(outcome.resetSeconds()));
        return refused;
    }

    private ConsumptionProbe probe(String key, BucketConfiguration configuration) {
        if (System.currentTimeMillis() >= redisDownUntil) {
            try {
                return sharedManager().builder().build(key, () -> configuration).tryConsumeAndReturnRemaining(1);
            } catch (RuntimeException e) {
                redisDown(e);
            }
        }
        return localBucket(key, configuration).tryConsumeAndReturnRemaining(1);
    }

    private Bucket localBucket(String key, BucketConfiguration configuration) {
        return local.get(
                key,
                k -> Bucket.builder().addLimit(configuration.getBandwidths()[0]).build());
    }

    private ProxyManager<String> sharedManager() {
        ProxyManager<String> manager = shared;
        if (manager != null) {
            return manager;
        }
        synchronized (this) {
            if (shared == null) {
                if (!(redis instanceof LettuceConnectionFactory lettuce)
                        || !(lettuce.getNativeClient() instanceof RedisClient client)) {
                    throw new IllegalStateException("shared rate limits need a standalone Redis through Lettuce");
                }
                StatefulRedisConnection<String, byte[]> opened =
                        client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
                opened.setTimeout(settings.redisTimeout());
                connection = opened;
                shared = Bucket4jLettuce.casBasedBuilder(opened)
                        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                Duration.ofSeconds(10)))
                        .requestTimeout(settings.redisTimeout())
                        .build();
            }
            return shared;
        }
    }

    private void redisDown(RuntimeException e) {
        redisDownUntil = System.currentTimeMillis() + settings.redisRetry().toMillis();
        log.warn("Rate limits count per instance for {}: Redis failed ({})", settings.redisRetry(), e.getMessage());
    }

    @Override
    public void destroy() {
        StatefulRedisConnection<String, byte[]> open = connection;
        if (open != null) {
            open.close();
        }
    }
}
