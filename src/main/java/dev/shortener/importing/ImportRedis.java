package dev.shortener.importing;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Lettuce connections of the import feature, made by the application's Redis client (same
 * server, database, credentials and command timeout). Stream commands that Spring Data Redis does
 * not offer (XAUTOCLAIM) and blocking reads need them: a blocking XREADGROUP holds its connection
 * for the whole wait, so every worker reads on a dedicated connection whose timeout covers the
 * wait, while every other command keeps the short default timeout on the shared connection.
 */
@Component
class ImportRedis implements DisposableBean {

    private final RedisConnectionFactory factory;
    private @Nullable StatefulRedisConnection<String, String> shared;

    ImportRedis(RedisConnectionFactory factory) {
        this.factory = factory;
    }

    private RedisClient client() {
        if (!(factory instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("Import jobs need the Lettuce Redis client");
        }
        AbstractRedisClient client = lettuce.getRequiredNativeClient();
        if (!(client instanceof RedisClient redis)) {
            throw new IllegalStateException("Import jobs need a standalone Redis, not a cluster");
        }
        return redis;
    }

    /** The shared connection for commands that answer at once; it times out as configured. */
    synchronized StatefulRedisConnection<String, String> shared() {
        if (shared == null || !shared.isOpen()) {
            shared = client().connect();
        }
        return shared;
    }

    RedisCommands<String, String> commands() {
        return shared().sync();
    }

    /**
     * Sends commands on the shared connection without waiting for each answer (Lettuce pipelines
     * them), then waits for all answers within the connection's timeout.
     */
    void pipelined(java.util.function.Function<RedisAsyncCommands<String, String>, List<RedisFuture<?>>> commands) {
        StatefulRedisConnection<String, String> connection = shared();
        List<RedisFuture<?>> futures = commands.apply(connection.async());
        if (!LettuceFutures.awaitAll(connection.getTimeout(), futures.toArray(RedisFuture[]::new))) {
            throw new RedisCommandTimeoutException("Redis did not answer " + futures.size() + " commands in time");
        }
    }

    /** A new connection of its own for blocking commands, with a timeout longer than their wait. */
    StatefulRedisConnection<String, String> dedicated(Duration longestWait) {
        StatefulRedisConnection<String, String> connection = client().connect();
        connection.setTimeout(longestWait.plus(connection.getTimeout()));
        return connection;
    }

    /** A new subscriber connection, closed by the caller; Lettuce subscribes again after a reconnect. */
    StatefulRedisPubSubConnection<String, String> subscriber() {
        return client().connectPubSub();
    }

    @Override
    public synchronized void destroy() {
        // the application's client closes its connections, these included, when it stops first
        if (shared != null && shared.isOpen()) {
            shared.close();
        }
    }
}
