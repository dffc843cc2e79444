package dev.shortener.redirect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The Redis level: {@code link:{code}} entries with a TTL, and the invalidation of changed links
 * (delete the entry, publish the code). Every call goes through a {@link RedisCircuit}; when
 * Redis fails the caller carries on without it, and invalidations that could not be delivered are
 * retried once Redis answers again.
 */
@Component
class RedisLinkStore implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RedisLinkStore.class);
    private static final String KEY_PREFIX = "link:";
    private static final int MAX_PENDING_INVALIDATIONS = 100_000;

    private final StringRedisTemplate redis;
    private final RedirectSettings settings;
    private final NearCache near;
    private final RedisCircuit circuit;
    private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "redis-link-store");
        thread.setDaemon(true);
        return thread;
    });
    private final Counter hits;
    private final Counter misses;

    RedisLinkStore(StringRedisTemplate redis, RedirectSettings settings, NearCache near, MeterRegistry meters) {
        this.redis = redis;
        this.settings = settings;
        this.near = near;
        this.circuit = new RedisCircuit(settings.circuitFailureThreshold());
        this.hits = cacheRequests(meters, "hit");
        this.misses = cacheRequests(meters, "miss");
        Gauge.builder("shortener.redis.circuit.open", circuit, c -> c.isOpen() ? 1 : 0)
                .description("1 while Redis is kept off the redirect path after failures")
                .register(meters);
        long probe = settings.circuitProbeInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::probe, probe, probe, TimeUnit.MILLISECONDS);
    }

    private static Counter cacheRequests(MeterRegistry meters, String result) {
        return Counter.builder("shortener.cache.requests")
                .description("Link cache lookups by level and result")
                .tag("level", "redis")
                .tag("result", result)
                .register(meters);
    }

    boolean available() {
        return !circuit.isOpen();
    }

    /** The cached link, or null when Redis has none or cannot be asked. */
    @Nullable
    CachedLink get(String code) {
        if (circuit.isOpen()) {
            return null;
        }
        String value;
        try {
            value = redis.opsForValue().get(KEY_PREFIX + code);
            circuit.success();
        } catch (RuntimeException e) {
            failed("read", e);
            return null;
        }
        CachedLink link = value == null ? null : CachedLink.decode(value);
        (link == null ? misses : hits).increment();
        return link;
    }

    void put(String code, CachedLink link) {
        if (circuit.isOpen()) {
            return;
        }
        try {
            redis.opsForValue()
                    .set(
                            KEY_PREFIX + code,
                            link.encode(),
                            link.absent() ? settings.redisNegativeTtl() : settings.redisTtl());
            circuit.success();
        } catch (RuntimeException e) {
            failed("write", e);
        }
    }

    /**
     * Deletes the entry and tells every instance to evict the code. When Redis cannot be reached
     * the code is kept and retried, so the stale entry does not outlive the outage.
     */
    void invalidate(String code) {
        if (circuit.isOpen() || !deleteAndPublish(code)) {
            keepPending(code);
        }
    }

    /** {@link #invalidate} for many codes, in one round trip. */
    void invalidateAll(Collection<String> codes) {
        if (circuit.isOpen() || !deleteAndPublishAll(codes)) {
            codes.forEach(this::keepPending);
        }
    }

    private boolean deleteAndPublishAll(Collection<String> codes) {
        try {
            redis.executePipelined((RedisCallback<Object>) connection -> {
                byte[] channel = settings.invalidationChannel().getBytes(StandardCharsets.UTF_8);
                for (String code : codes) {
                    connection.keyCommands().del((KEY_PREFIX + code).getBytes(StandardCharsets.UTF_8));
                    connection.publish(channel, code.getBytes(StandardCharsets.UTF_8));
                }
                return null;
            });
            circuit.success();
            return true;
        } catch (RuntimeException e) {
            failed("invalidation", e);
            return false;
        }
    }

    /** Runs {@code task} once after {@code delayMillis} on the store's own thread. */
    void later(Runnable task, long delayMillis) {
        scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    private boolean deleteAndPublish(String code) {
        try {
            redis.delete(KEY_PREFIX + code);
            redis.convertAndSend(settings.invalidationChannel(), code);
            circuit.success();
            return true;
        } catch (RuntimeException e) {
            failed("invalidation", e);
            return false;
        }
    }

    private void keepPending(String code) {
        if (pendingInvalidations.size() < MAX_PENDING_INVALIDATIONS) {
            pendingInvalidations.add(code);
        } else {
            log.warn("Too many undelivered link invalidations; {} relies on the Redis TTL", code);
        }
    }

    private void failed(String what, RuntimeException e) {
        if (circuit.failure()) {
            log.warn(
                    "Redis {} failed ({}); circuit open, redirects use the near cache and PostgreSQL",
                    what,
                    e.toString());
        }
    }

    /** While the circuit is open, pings Redis; also retries invalidations that were not delivered. */
    private void probe() {
        try {
            if (circuit.isOpen()) {
                redis.execute(RedisConnection::ping, true);
                if (circuit.close()) {
                    recovered();
                }
            }
            retryPendingInvalidations();
        } catch (RuntimeException e) {
            // still down: the next probe tries again
        }
    }

    /**
     * Invalidations published while this instance could not reach Redis may never have arrived (its
     * subscription reconnects by itself, silently), so every near-cache copy is reloaded at its next
     * read. Not dropped: a Redis that merely timed out under load would otherwise send the next read
     * of every cached link to Redis at once.
     */
    private void recovered() {
        near.revalidate();
        log.info("Redis answers again; circuit closed, near-cache links are reloaded at their next read");
    }

    private void retryPendingInvalidations() {
        for (Iterator<String> codes = pendingInvalidations.iterator(); codes.hasNext() && !circuit.isOpen(); ) {
            String code = codes.next();
            if (deleteAndPublish(code)) {
                codes.remove();
            }
        }
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
