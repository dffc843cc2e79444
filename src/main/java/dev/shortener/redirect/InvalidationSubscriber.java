package dev.shortener.redirect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.listener.Topic;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Hears every instance's link changes and keeps this instance's near cache true to them (ADR
 * 0008). Spring's listener container makes the subscription, in the background and again until
 * Redis answers, so an instance starts (and redirects) while Redis is down.
 *
 * <p>A lost message must not leave an old copy in use. Copies are dropped when a subscription is
 * made after changes could have been missed (copies taken before the first one, any later one:
 * the client makes it again after a lost connection). The instance publishes numbered heartbeats
 * of its own: one heard after an earlier one that Redis accepted but that never arrived proves a
 * loss, and drops the copies too. Two accepted but unheard for two heartbeat intervals: the near
 * cache is off until they arrive (late messages lose nothing); for five, the subscription died
 * without a word and is made anew, which drops the copies.
 */
@Component
class InvalidationSubscriber implements SmartLifecycle, MessageListener, SubscriptionListener {

    private static final Logger log = LoggerFactory.getLogger(InvalidationSubscriber.class);

    private final RedisMessageListenerContainer container;
    private final Topic channel;
    private final RedisLinkStore store;
    private final NearCache near;
    private final TaskScheduler scheduler;
    private final Duration heartbeatInterval;
    private final Duration probeInterval;
    private final Timer staleness;
    private final Counter gaps;
    private final Heartbeats heartbeatsSent = new Heartbeats();
    /** Set once the subscription is confirmed: heartbeats published before cannot be heard. */
    private volatile boolean subscribed;
    /** Whether a subscription was made before in this instance's life: a new one follows a loss. */
    private volatile boolean subscribedBefore;

    private volatile boolean running;
    /** Whether a failed subscription was reported: the attempts that follow are not. */
    private boolean retrying;

    private @Nullable ScheduledFuture<?> heartbeats;
    private @Nullable ScheduledFuture<?> retry;

    InvalidationSubscriber(
            @Qualifier(InvalidationContainer.NAME) RedisMessageListenerContainer container,
            RedisLinkStore store,
            NearCache near,
            RedirectSettings settings,
            TaskScheduler scheduler,
            MeterRegistry meters) {
        this.container = container;
        this.channel = ChannelTopic.of(settings.invalidationChannel());
        this.store = store;
        this.near = near;
        this.scheduler = scheduler;
        this.heartbeatInterval = settings.invalidationHeartbeat();
        this.probeInterval = settings.circuitProbeInterval();
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
        heartbeatsSent.clear();
        // at a fixed rate each beat runs on a thread of its own: a slow one delays no other timer
        heartbeats =
                scheduler.scheduleAtFixedRate(this::beat, Instant.now().plus(heartbeatInterval), heartbeatInterval);
        listen();
    }

    /** Starts the container with this listener, or asks the scheduler to try again after the probe interval. */
    private synchronized void listen() {
        retry = null;
        if (!running || container.isListening()) {
            return;
        }
        try {
            // a container whose start failed counts as running: adding the listener subscribes
            container.addMessageListener(this, channel);
            if (!container.isRunning()) {
                container.start();
            }
        } catch (RuntimeException e) {
            if (!retrying) {
                log.warn("Cannot subscribe to link invalidations yet ({}); trying again", e.toString());
                retrying = true;
            }
            retry = scheduler.schedule(this::listen, Instant.now().plus(probeInterval));
            return;
        }
        retrying = false;
    }

    /**
     * Called on every subscription, including the client's own after a lost connection: changes
     * published in between never arrived, so copies taken before are not served again.
     */
    @Override
    public void onChannelSubscribed(byte[] channel, long count) {
        if (!running) {
            return; // stopped: its copies stay untrusted
        }
        if (subscribedBefore) {
            lost("Subscribed to link invalidations again");
        } else {
            near.forgetCopies(); // taken while nothing was heard (Redis down at start, or not yet subscribed)
        }
        subscribedBefore = true;
        subscribed = true;
        near.trust();
    }

    @Override
    public void onMessage(Message message, byte @Nullable [] pattern) {
        String body = new String(message.getBody(), StandardCharsets.UTF_8);
        switch (heartbeatsSent.heard(body)) {
            case NOT_A_HEARTBEAT -> {} // a link change, read below
            case ANOTHER_INSTANCES -> {
                return;
            }
            case OWN -> {
                trustIfRunning();
                return;
            }
            case OWN_AFTER_A_LOSS -> {
                lost("A heartbeat of this instance never arrived");
                trustIfRunning();
                return;
            }
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

    private void trustIfRunning() {
        if (running) {
            near.trust();
        }
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
        Heartbeats.Beat beat = heartbeatsSent.next();
        boolean listening = subscribed;
        if (store.publish(beat.message()) && listening) {
            heartbeatsSent.accepted(beat);
        }
        long silentNanos = heartbeatsSent.silentNanos();
        long interval = heartbeatInterval.toNanos();
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

    /**
     * Drops a subscription that hears nothing (the client does not notice a connection that died
     * quietly): the container closes its connection and subscribes on a new one.
     */
    private synchronized void resubscribe() {
        if (!running) {
            return;
        }
        subscribed = false;
        heartbeatsSent.clear();
        container.stop();
        listen();
    }

    @Override
    public synchronized void stop() {
        running = false;
        subscribed = false;
        // stopped, it hears of no change: its copies must not be served meanwhile
        near.distrust();
        for (ScheduledFuture<?> task : new ScheduledFuture<?>[] {heartbeats, retry}) {
            if (task != null) {
                task.cancel(false);
            }
        }
        container.stop();
        near.distrust(); // again: a message handled while the container stopped may have trusted it
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
