package dev.shortener.redirect;

import dev.shortener.redirect.CachedLink.Version;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The Redis level: {@code link:{code}} entries with a TTL, filled and invalidated by version
 * (ADR 0008), and the pub/sub channel that tells every instance of a change. Every call goes
 * through a {@link RedisCircuit}; when Redis fails the caller carries on without it, and
 * invalidations that could not be delivered are retried once Redis answers again.
 */
@Component
class RedisLinkStore {

    private static final Logger log = LoggerFactory.getLogger(RedisLinkStore.class);
    private static final String KEY_PREFIX = "link:";

    /**
     * Sets {@code KEYS[1]} to {@code ARGV[1]} (version {@code ARGV[2]}, rank {@code ARGV[3]}) for
     * {@code ARGV[4]} ms unless it holds the same or a later state; 1 when set. A value it cannot
     * read (another format) is overwritten.
     */
    private static final RedisScript<Long> FILL = RedisScript.of("""
            local current = redis.call('GET', KEYS[1])
            if current then
              local version, state = string.match(current, '^(%d+)|(.)')
              if version then
                local rank = 1
                if state == '~' then rank = 0 elseif state == '-' then rank = 2 end
                local held, wanted = tonumber(version), tonumber(ARGV[2])
                if held > wanted or (held == wanted and rank >= tonumber(ARGV[3])) then
                  return 0
                end
              end
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedirectSettings settings;
    private final ApplicationEventPublisher events;
    private final RedisCircuit circuit;
    private final UndeliveredChanges undelivered;
    private final AtomicBoolean delivering = new AtomicBoolean();
    private final Counter hits;
    private final Counter misses;

    RedisLinkStore(
            StringRedisTemplate redis,
            RedirectSettings settings,
            ApplicationEventPublisher events,
            UndeliveredChanges undelivered,
            MeterRegistry meters) {
        this.redis = redis;
        this.undelivered = undelivered;
        this.settings = settings;
        this.events = events;
        this.circuit = new RedisCircuit(settings.circuitFailureThreshold());
        this.hits = cacheRequests(meters, "hit");
        this.misses = cacheRequests(meters, "miss");
        Gauge.builder("shortener.redis.circuit.open", circuit, c -> c.isOpen() ? 1 : 0)
                .description("1 while Redis is kept off the redirect path after failures")
                .register(meters);
    }

    private static Counter cacheRequests(MeterRegistry meters, String result) {
        return Counter.builder("shortener.cache.requests")
                .description("Link cache lookups by level and result")
                .tag("level", "redis")
                .tag("result", result)
                .register(meters);
    }

    /** The cached link, or null when Redis has none, cannot be asked or may hold an old copy. */
    @Nullable
    CachedLink get(String code) {
        if (circuit.isOpen() || undelivered.holds(code)) {
            // Redis may still hold what a change made here replaced
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

    /** Stores the copy unless Redis holds the code at a newer state (the fill script). */
    void put(String code, CachedLink link) {
        if (circuit.isOpen()) {
            return;
        }
        Duration ttl = link.absent() ? settings.redisNegativeTtl() : settings.redisTtl();
        try {
            redis.execute(FILL, List.of(KEY_PREFIX + code), (Object[]) fillArguments(link.encode(), link.order(), ttl));
            circuit.success();
        } catch (RuntimeException e) {
            failed("write", e);
        }
    }

    /**
     * Marks the code changed to {@code change.mark()} in Redis (refusing every older copy from now
     * on) and tells every instance. When Redis cannot be reached the change is kept and retried, by
     * any instance, so the old copy does not outlive the outage ({@link UndeliveredChanges}).
     */
    void invalidate(LinkChange change) {
        invalidateAll(List.of(change));
    }

    /** {@link #invalidate} for many codes, in one round trip. */
    void invalidateAll(Collection<LinkChange> changes) {
        if (circuit.isOpen() || !markAndPublish(changes)) {
            undelivered.keep(changes);
        }
    }

    /** Publishes {@code message} on the invalidation channel; true when Redis took it. */
    boolean publish(String message) {
        if (circuit.isOpen()) {
            return false;
        }
        try {
            redis.convertAndSend(settings.invalidationChannel(), message);
            circuit.success();
            return true;
        } catch (RuntimeException e) {
            failed("publish", e);
            return false;
        }
    }

    private boolean markAndPublish(Collection<LinkChange> changes) {
        byte[] channel = settings.invalidationChannel().getBytes(StandardCharsets.UTF_8);
        byte[] script = FILL.getScriptAsString().getBytes(StandardCharsets.UTF_8);
        Duration ttl = settings.redisNegativeTtl();
        try {
            redis.executePipelined((RedisCallback<Object>) connection -> {
                for (LinkChange change : changes) {
                    byte[][] keyAndArguments = new byte[5][];
                    keyAndArguments[0] = (KEY_PREFIX + change.code()).getBytes(StandardCharsets.UTF_8);
                    String[] arguments = fillArguments(change.value(), change.mark(), ttl);
                    for (int i = 0; i < arguments.length; i++) {
                        keyAndArguments[i + 1] = arguments[i].getBytes(StandardCharsets.UTF_8);
                    }
                    connection.scriptingCommands().eval(script, ReturnType.INTEGER, 1, keyAndArguments);
                    connection.publish(channel, change.message().getBytes(StandardCharsets.UTF_8));
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

    private static String[] fillArguments(String value, Version order, Duration ttl) {
        return new String[] {
            value, Long.toString(order.version()), Integer.toString(order.rank()), Long.toString(ttl.toMillis())
        };
    }

    private void failed(String what, RuntimeException e) {
        if (circuit.failure()) {
            log.warn(
                    "Redis {} failed ({}); circuit open, redirects use the near cache and PostgreSQL",
                    what,
                    e.toString());
        }
    }

    /** While the circuit is open, pings Redis. */
    @Scheduled(
            fixedDelayString = "${shortener.redirect.circuit-probe-interval}",
            initialDelayString = "${shortener.redirect.circuit-probe-interval}")
    void probe() {
        try {
            if (circuit.isOpen()) {
                redis.execute(RedisConnection::ping, true);
                if (circuit.close()) {
                    recovered();
                }
            }
        } catch (RuntimeException e) {
            // still down: the next probe tries again
        }
    }

    /**
     * Delivers the invalidations Redis did not take, this instance's and those kept in PostgreSQL.
     * At a fixed rate, so on a thread of its own: a fixed-delay task runs on the scheduler's one
     * thread, which a wait for PostgreSQL would keep from the heartbeats.
     */
    @Scheduled(
            fixedRateString = "${shortener.redirect.circuit-probe-interval}",
            initialDelayString = "${shortener.redirect.circuit-probe-interval}")
    void deliverUndelivered() {
        if (circuit.isOpen() || !delivering.compareAndSet(false, true)) {
            return;
        }
        try {
            undelivered.deliver(change -> !circuit.isOpen() && markAndPublish(List.of(change)), settings.redisTtl());
        } finally {
            delivering.set(false);
        }
    }

    /**
     * Invalidations published while this instance could not reach Redis may not have arrived, so
     * every near-cache copy is reloaded at its next read ({@link RedisRecovered}). Not dropped: a
     * Redis that merely timed out under load, with the subscription intact, would otherwise send the
     * next read of every cached link to Redis at once (ADR 0003). A subscription that was lost is
     * made again, and that drops the copies ({@link InvalidationSubscriber}).
     */
    private void recovered() {
        events.publishEvent(new RedisRecovered());
        log.info("Redis answers again; circuit closed, near-cache links are reloaded at their next read");
    }
}
