package dev.shortener.redirect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.stereotype.Component;

/**
 * Hears every instance's link changes and keeps this instance's near cache true to them (ADR
 * 0008). The subscription is made in the background and retried until Redis answers, so an
 * instance starts (and redirects) while Redis is down.
 *
 * <p>A lost message must not leave an old copy in use: when the client resubscribes after a lost
 * connection, copies taken before are no longer served; and every instance publishes a heartbeat,
 * so a subscription that does not hear, within two heartbeats, one that Redis accepted (a
 * connection that died without a word) turns the near cache off until the channel is heard again.
 */
@Component
class InvalidationSubscriber implements SmartLifecycle, MessageListener, SubscriptionListener {

    private static final Logger log = LoggerFactory.getLogger(InvalidationSubscriber.class);

    private final RedisConnectionFactory redis;
    private final RedisLinkStore store;
    private final NearCache near;
    private final RedirectSettings settings;
    private final Timer staleness;
    private final Counter gaps;

    private volatile boolean running;
    private volatile boolean subscribedBefore;
    /** When Redis accepted the oldest heartbeat published since the channel was last heard; 0 if none. */
    private volatile long unheardSinceNanos;
    /** Messages heard, so a heartbeat heard while it was being published is not taken as unheard. */
    private final AtomicLong heardCount = new AtomicLong();

    private volatile @Nullable RedisConnection connection;
    private @Nullable Thread subscriber;
    private @Nullable ScheduledExecutorService heartbeats;

    InvalidationSubscriber(
            RedisConnectionFactory redis,
            RedisLinkStore store,
            NearCache near,
            RedirectSettings settings,
            MeterRegistry meters) {
        this.redis = redis;
        this.store = store;
        this.near = near;
        this.settings = settings;
        this.staleness = Timer.builder("shortener.link.staleness")
                .description("From a link change to this instance dropping its older copy of the link")
                .publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofSeconds(1))
                .register(meters);
        this.gaps = Counter.builder("shortener.link.invalidation.gaps")
                .description("Times this instance may have missed link changes and stopped serving its copies")
                .register(meters);
    }

    @Override
    public void start() {
        running = true;
        unheardSinceNanos = 0;
        subscriber = Thread.ofPlatform()
                .name("link-invalidation-subscriber")
                .daemon()
                .start(this::subscribe);
        long every = settings.invalidationHeartbeat().toMillis();
        heartbeats = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("link-invalidation-heartbeat").daemon().factory());
        heartbeats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    private void subscribe() {
        boolean failedBefore = false;
        while (running) {
            RedisConnection candidate = null;
            try {
                candidate = redis.getConnection();
                candidate.subscribe(this, settings.invalidationChannel().getBytes(StandardCharsets.UTF_8));
                connection = candidate;
                if (!running) {
                    close();
                }
                return;
            } catch (RuntimeException e) {
                if (candidate != null) {
                    closeQuietly(candidate);
                }
                if (!failedBefore) {
                    log.warn("Cannot subscribe to link invalidations yet ({}); retrying", e.toString());
                    failedBefore = true;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(settings.circuitProbeInterval().toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Called on every subscription, including the client's own after a lost connection: changes
     * published in between never arrived, so copies taken before are not served again.
     */
    @Override
    public void onChannelSubscribed(byte[] channel, long count) {
        heard();
        if (subscribedBefore) {
            gaps.increment();
            near.forgetCopies();
            log.info("Subscribed to link invalidations again; near-cache copies are read again");
        }
        subscribedBefore = true;
    }

    @Override
    public void onMessage(Message message, byte @Nullable [] pattern) {
        heard();
        long now = System.currentTimeMillis();
        LinkChange change = LinkChange.parse(new String(message.getBody(), StandardCharsets.UTF_8), now);
        if (change != null && near.invalidate(change.code(), change.mark(), change.absent())) {
            staleness.record(Math.max(0, now - change.changedAtMillis()), TimeUnit.MILLISECONDS);
        }
    }

    private void heard() {
        heardCount.incrementAndGet();
        unheardSinceNanos = 0;
        if (!near.trusted()) {
            near.trustAgain();
            log.info("Link invalidations are heard again; near-cache copies are read again");
        }
    }

    /**
     * Publishes this instance's heartbeat and checks that what Redis accepted is heard. Only a
     * heartbeat Redis accepted counts: with Redis slow or down no instance hears another, and the
     * near cache is what keeps redirects up (the circuit handles that).
     */
    private void beat() {
        long publishedAt = System.nanoTime();
        long heardBefore = heardCount.get();
        if (store.heartbeat() && unheardSinceNanos == 0 && heardCount.get() == heardBefore) {
            unheardSinceNanos = publishedAt;
        }
        long since = unheardSinceNanos;
        long silentNanos = System.nanoTime() - since;
        if (since != 0
                && near.trusted()
                && silentNanos > 2 * settings.invalidationHeartbeat().toNanos()) {
            near.distrust();
            gaps.increment();
            log.warn(
                    "A heartbeat Redis accepted {} ms ago was not heard; near cache off until the channel is",
                    TimeUnit.NANOSECONDS.toMillis(silentNanos));
        }
    }

    /** Ends the subscription without a word to this class, as a connection that died unnoticed does (tests). */
    void loseSubscriptionQuietly() {
        RedisConnection current = connection;
        if (current != null && current.getSubscription() != null) {
            current.getSubscription().unsubscribe();
        }
    }

    @Override
    public void stop() {
        running = false;
        ScheduledExecutorService beating = heartbeats;
        if (beating != null) {
            beating.shutdownNow();
        }
        Thread thread = subscriber;
        if (thread != null) {
            thread.interrupt();
        }
        close();
    }

    private void close() {
        RedisConnection current = connection;
        connection = null;
        if (current != null) {
            closeQuietly(current);
        }
    }

    private static void closeQuietly(RedisConnection connection) {
        try {
            if (connection.isSubscribed() && connection.getSubscription() != null) {
                connection.getSubscription().close();
            }
            connection.close();
        } catch (RuntimeException e) {
            // the connection is gone either way
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
