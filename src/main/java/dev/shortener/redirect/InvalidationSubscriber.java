package dev.shortener.redirect;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Subscribes this instance to the invalidation channel. The subscription is made in the background
 * and retried until Redis answers, so an instance starts (and redirects) while Redis is down;
 * once made, the client resubscribes by itself after connection losses.
 */
@Component
class InvalidationSubscriber implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InvalidationSubscriber.class);

    private final RedisConnectionFactory redis;
    private final LinkInvalidation invalidation;
    private final NearCache near;
    private final RedirectSettings settings;

    private volatile boolean running;
    private volatile @Nullable RedisConnection connection;
    private @Nullable Thread subscriber;

    InvalidationSubscriber(
            RedisConnectionFactory redis, LinkInvalidation invalidation, NearCache near, RedirectSettings settings) {
        this.redis = redis;
        this.invalidation = invalidation;
        this.near = near;
        this.settings = settings;
    }

    @Override
    public void start() {
        running = true;
        subscriber = Thread.ofPlatform()
                .name("link-invalidation-subscriber")
                .daemon()
                .start(this::subscribe);
    }

    private void subscribe() {
        boolean failedBefore = false;
        while (running) {
            RedisConnection candidate = null;
            try {
                candidate = redis.getConnection();
                candidate.subscribe(invalidation, settings.invalidationChannel().getBytes(StandardCharsets.UTF_8));
                connection = candidate;
                if (failedBefore) {
                    // Invalidations published before the subscription was made never reached this instance.
                    near.clear();
                    log.info("Subscribed to link invalidations; near cache cleared");
                }
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

    @Override
    public void stop() {
        running = false;
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
