package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Progress of jobs across instances: every change of a job is published as its JSON on the Redis
 * channel {@code <queue>:{id}} ({@code import:7}), and listeners on any instance receive it.
 * Publishing never fails a caller; listeners that miss messages (Redis down) read the job from
 * PostgreSQL instead. Messages go out on a connection of their own and subscriptions share one
 * pub/sub connection, both made by the application's Lettuce client (which subscribes again after
 * a reconnect): a Redis that is down never holds up the connection the redirect path shares.
 */
@Component
public class ImportProgress implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ImportProgress.class);

    /** A listener's subscription to one job; closing it unsubscribes. */
    public interface Subscription extends AutoCloseable {

        /** Subscribes on Redis again when an earlier attempt failed. */
        void renew();

        @Override
        void close();
    }

    private final RedisConnectionFactory factory;
    private final String prefix;
    private final ObjectMapper json;
    private final Map<Long, Set<Consumer<ImportJob>>> listeners = new ConcurrentHashMap<>();
    private final Set<Long> subscribed = ConcurrentHashMap.newKeySet();
    private @Nullable StatefulRedisPubSubConnection<String, String> connection;
    private final Object publisherLock = new Object();
    private @Nullable StatefulRedisConnection<String, String> publisher;

    ImportProgress(RedisConnectionFactory factory, ImportSettings settings, ObjectMapper json) {
        this.factory = factory;
        this.prefix = settings.queue() + ":";
        this.json = json;
    }

    void publish(ImportJob job) {
        try {
            // not waited for: a worker never waits on Redis for a message nobody may be reading
            publisher().async().publish(channel(job.id()), json.writeValueAsString(job));
        } catch (RuntimeException e) {
            log.debug("Progress of import job {} not published: {}", job.id(), e.toString());
        }
    }

    /** Calls the listener with every change of the job published from now on, by any instance. */
    public synchronized Subscription subscribe(long job, Consumer<ImportJob> listener) {
        listeners.computeIfAbsent(job, id -> new CopyOnWriteArraySet<>()).add(listener);
        redisSubscribe(job);
        return new Subscription() {
            @Override
            public void renew() {
                if (!subscribed.contains(job)) {
                    redisSubscribe(job);
                }
            }

            @Override
            public void close() {
                unsubscribe(job, listener);
            }
        };
    }

    private synchronized void redisSubscribe(long job) {
        if (subscribed.contains(job)) {
            return;
        }
        try {
            connection().sync().subscribe(channel(job));
            subscribed.add(job);
        } catch (RuntimeException e) {
            log.debug("Not subscribed to progress of import job {}: {}", job, e.toString());
        }
    }

    private synchronized void unsubscribe(long job, Consumer<ImportJob> listener) {
        Set<Consumer<ImportJob>> forJob = listeners.get(job);
        if (forJob == null) {
            return;
        }
        forJob.remove(listener);
        if (forJob.isEmpty()) {
            listeners.remove(job);
            if (subscribed.remove(job)) {
                try {
                    connection().sync().unsubscribe(channel(job));
                } catch (RuntimeException e) {
                    log.debug("Not unsubscribed from import job {}: {}", job, e.toString());
                }
            }
        }
    }

    private RedisClient client() {
        if (!(factory instanceof LettuceConnectionFactory lettuce)
                || !(lettuce.getRequiredNativeClient() instanceof RedisClient client)) {
            throw new IllegalStateException("Import progress needs a standalone Redis through Lettuce");
        }
        return client;
    }

    private StatefulRedisConnection<String, String> publisher() {
        synchronized (publisherLock) {
            if (publisher == null || !publisher.isOpen()) {
                publisher = client().connect();
            }
            return publisher;
        }
    }

    private StatefulRedisPubSubConnection<String, String> connection() {
        if (connection == null || !connection.isOpen()) {
            StatefulRedisPubSubConnection<String, String> created = client().connectPubSub();
            created.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    deliver(channel, message);
                }
            });
            connection = created;
        }
        return connection;
    }

    private String channel(long job) {
        return prefix + job;
    }

    private void deliver(String channel, String message) {
        long job;
        try {
            job = Long.parseLong(channel.substring(prefix.length()));
        } catch (RuntimeException e) {
            return;
        }
        ImportJob update;
        try {
            update = json.readValue(message, ImportJob.class);
        } catch (JacksonException e) {
            log.debug("Ignored progress message on {}: {}", channel, e.toString());
            return;
        }
        for (Consumer<ImportJob> listener : listeners.getOrDefault(job, Set.of())) {
            listener.accept(update);
        }
    }

    @Override
    public synchronized void destroy() {
        if (connection != null && connection.isOpen()) {
            connection.close();
        }
        synchronized (publisherLock) {
            if (publisher != null && publisher.isOpen()) {
                publisher.close();
            }
        }
    }
}
