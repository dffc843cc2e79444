package dev.shortener.redirect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
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
 * <p>A lost message must not leave an old copy in use. Copies are dropped when the subscription is
 * made after changes could have been missed (a first subscription after failed attempts, the
 * client's own after a lost connection). The instance publishes numbered heartbeats of its own:
 * one heard after an earlier one that Redis accepted but that never arrived proves a loss, and
 * drops the copies too. Two accepted but unheard for two heartbeat intervals: the near cache is off
 * until they arrive (late messages lose nothing); for five, the subscription died without a word
 * and is made anew, which drops the copies.
 */
@Component
class InvalidationSubscriber implements SmartLifecycle, MessageListener, SubscriptionListener {

    private static final Logger log = LoggerFactory.getLogger(InvalidationSubscriber.class);
    private static final String HEARTBEAT_PREFIX = "~";

    private final RedisConnectionFactory redis;
    private final RedisLinkStore store;
    private final NearCache near;
    private final RedirectSettings settings;
    private final Timer staleness;
    private final Counter gaps;
    private final String heartbeatPrefix = HEARTBEAT_PREFIX + UUID.randomUUID() + ":";
    private final AtomicLong heartbeatSequence = new AtomicLong();
    /** Heartbeats Redis accepted that this instance has not heard yet: sequence to acceptance time. */
    private final ConcurrentNavigableMap<Long, Long> unheard = new ConcurrentSkipListMap<>();

    private volatile long heardSequence;
    /** Set once the subscription is confirmed: heartbeats published before cannot be heard. */
    private volatile boolean subscribed;

    private volatile boolean running;
    /** Changes to this instance's start: a subscription made for an earlier one is closed. */
    private volatile long lifetime;
    /** Whether changes may have been published while this instance was not subscribed. */
    private volatile boolean missedChanges;

    private volatile @Nullable RedisConnection connection;
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
    public synchronized void start() {
        running = true;
        lifetime++;
        unheard.clear();
        subscribeInBackground();
        long every = settings.invalidationHeartbeat().toMillis();
        ScheduledExecutorService beating = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("link-invalidation-heartbeat").daemon().factory());
        beating.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        heartbeats = beating;
    }

    private void subscribeInBackground() {
        long startedIn = lifetime;
        Thread.ofPlatform().name("link-invalidation-subscriber").daemon().start(() -> subscribe(startedIn));
    }

    private void subscribe(long startedIn) {
        boolean warned = false;
        while (running && lifetime == startedIn) {
            RedisConnection candidate = null;
            try {
                candidate = redis.getConnection();
                candidate.subscribe(this, settings.invalidationChannel().getBytes(StandardCharsets.UTF_8));
                synchronized (this) {
                    if (running && lifetime == startedIn) {
                        connection = candidate;
                        return;
                    }
                }
                closeQuietly(candidate);
                return;
            } catch (RuntimeException e) {
                if (candidate != null) {
                    closeQuietly(candidate);
                }
                missedChanges = true;
                if (!warned) {
                    log.warn("Cannot subscribe to link invalidations yet ({}); retrying", e.toString());
                    warned = true;
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
        if (missedChanges) {
            lost("Subscribed to link invalidations after a time without");
        }
        missedChanges = true; // any later subscription follows a lost connection
        subscribed = true;
        near.trust();
    }

    @Override
    public void onMessage(Message message, byte @Nullable [] pattern) {
        String body = new String(message.getBody(), StandardCharsets.UTF_8);
        if (body.startsWith(HEARTBEAT_PREFIX)) {
            if (body.startsWith(heartbeatPrefix)) {
                heardOwn(Long.parseLong(body, heartbeatPrefix.length(), body.length(), 10));
            }
            return;
        }
        long now = System.currentTimeMillis();
        LinkChange change = LinkChange.parse(body, now);
        if (change == null) {
            return;
        }
        if (change.fromOlderRelease()) {
            near.evict(change.code());
        } else if (near.invalidate(change.code(), change.mark(), change.absent())) {
            staleness.record(Math.max(0, now - change.changedAtMillis()), TimeUnit.MILLISECONDS);
        }
    }

    /** One of this instance's heartbeats arrived: every message published before it did too, or was lost. */
    private void heardOwn(long sequence) {
        heardSequence = Math.max(heardSequence, sequence);
        Map<Long, Long> before = unheard.headMap(sequence, true);
        boolean lostOne = before.keySet().stream().anyMatch(earlier -> earlier < sequence);
        before.clear();
        if (lostOne) {
            lost("A heartbeat of this instance never arrived");
        }
        near.trust();
    }

    private void lost(String what) {
        gaps.increment();
        near.forgetCopies();
        log.info("{}: changes may have been missed; near-cache copies are read again", what);
    }

    /**
     * Publishes this instance's heartbeat and checks that what Redis accepted is heard. Only
     * heartbeats Redis accepted count: with Redis slow or down no instance hears another, and the
     * near cache is what keeps redirects up (the circuit handles that).
     */
    private void beat() {
        long sequence = heartbeatSequence.incrementAndGet();
        boolean listening = subscribed;
        if (store.publish(heartbeatPrefix + sequence) && listening && sequence > heardSequence) {
            unheard.put(sequence, System.nanoTime());
            if (heardSequence >= sequence) {
                unheard.remove(sequence); // heard while it was being recorded
            }
        }
        Map.Entry<Long, Long> oldest = unheard.firstEntry();
        long silentNanos = oldest == null || unheard.size() < 2 ? 0 : System.nanoTime() - oldest.getValue();
        long interval = settings.invalidationHeartbeat().toNanos();
        if (silentNanos > 2 * interval && near.trusted()) {
            near.distrust();
            gaps.increment();
            log.warn(
                    "Heartbeats Redis accepted {} ms ago were not heard; near cache off until they are",
                    TimeUnit.NANOSECONDS.toMillis(silentNanos));
        }
        if (silentNanos > 5 * interval) {
            // late is one thing, this long means the connection died without a word
            resubscribe();
        }
    }

    /** Drops a subscription that hears nothing (the client does not notice a connection that died quietly). */
    private synchronized void resubscribe() {
        if (!running) {
            return;
        }
        missedChanges = true;
        subscribed = false;
        lifetime++;
        close();
        unheard.clear();
        subscribeInBackground();
    }

    /** Ends the subscription without a word to this class, as a connection that died unnoticed does (tests). */
    void loseSubscriptionQuietly() {
        RedisConnection current = connection;
        if (current != null && current.getSubscription() != null) {
            current.getSubscription().unsubscribe();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        subscribed = false;
        lifetime++;
        // stopped, it hears of no change: its copies must not be served meanwhile
        near.distrust();
        missedChanges = true;
        ScheduledExecutorService beating = heartbeats;
        if (beating != null) {
            beating.shutdownNow();
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
