package dev.shortener.importing;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.models.stream.ClaimedMessages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The Redis streams of imports (key prefix {@code IMPORT_REDIS_PREFIX}, default {@code import:}).
 * {@code import:chunks} carries the ids of chunks to process to the
 * consumer group {@code importers}: each entry is delivered to one worker and stays pending until
 * that worker acknowledges it; a pending entry whose worker stopped confirming it is claimed by
 * another worker. Acknowledged entries are deleted, so the stream's length is the backlog.
 * {@code import:dead-letters} is a feed of the rows that were dead-lettered (trimmed to an
 * approximate length; the import_failures table is the record operators act on).
 */
@Component
class ChunkQueue {

    static final String GROUP = "importers";
    private static final String CHUNK = "chunk";

    /** A chunk id delivered to a consumer, with the entry to acknowledge. */
    record Delivery(String entryId, long chunk) {}

    private final ImportRedis redis;
    private final ImportSettings settings;
    private final String stream;
    private final String deadLetters;

    ChunkQueue(ImportRedis redis, ImportSettings settings) {
        this.redis = redis;
        this.settings = settings;
        this.stream = settings.redisPrefix() + "chunks";
        this.deadLetters = settings.redisPrefix() + "dead-letters";
    }

    String stream() {
        return stream;
    }

    /** Adds chunks to the stream, in one round trip. */
    void enqueue(List<Long> chunks) {
        redis.pipelined(commands -> chunks.stream()
                .<RedisFuture<?>>map(chunk -> commands.xadd(stream, Map.of(CHUNK, chunk.toString())))
                .toList());
    }

    /**
     * Creates the consumer group when it does not exist. It starts at the beginning of the stream,
     * so chunks added before any worker existed are delivered too.
     */
    void ensureGroup() {
        try {
            redis.commands().xgroupCreate(StreamOffset.from(stream, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException alreadyThere) {
            // the group exists
        }
    }

    /** A worker's reader: a connection of its own, since a blocking read holds it for the wait. */
    Reader reader(String consumer) {
        return new Reader(consumer, redis.dedicated(settings.worker().block()));
    }

    /** Reads one new entry for one consumer, waiting up to the worker's block time. */
    final class Reader implements AutoCloseable {

        private final Consumer<String> consumer;
        private final StatefulRedisConnection<String, String> connection;
        private String cursor = "0-0";

        private Reader(String consumer, StatefulRedisConnection<String, String> connection) {
            this.consumer = Consumer.from(GROUP, consumer);
            this.connection = connection;
        }

        @Nullable
        @SuppressWarnings("unchecked") // Lettuce takes the stream offsets as generic varargs
        Delivery next() {
            List<StreamMessage<String, String>> read = connection
                    .sync()
                    .xreadgroup(
                            consumer,
                            XReadArgs.Builder.block(settings.worker().block()).count(1),
                            StreamOffset.lastConsumed(stream));
            return read.isEmpty() ? null : delivery(read.getFirst());
        }

        /**
         * Claims one entry that another consumer left pending for longer than the reclaim time: its
         * worker died or hung. Returns null when there is none.
         */
        @Nullable
        Delivery reclaim() {
            ClaimedMessages<String, String> claimed = redis.commands()
                    .xautoclaim(
                            stream,
                            XAutoClaimArgs.Builder.xautoclaim(
                                            consumer, settings.worker().reclaimIdle(), cursor)
                                    .count(1));
            cursor = claimed.getId();
            List<StreamMessage<String, String>> messages = claimed.getMessages();
            return messages.isEmpty() ? null : delivery(messages.getFirst());
        }

        @Override
        public void close() {
            if (connection.isOpen()) {
                connection.close();
            }
        }
    }

    private static Delivery delivery(StreamMessage<String, String> message) {
        Map<String, String> body = message.getBody();
        String chunk = body == null ? null : body.get(CHUNK);
        return new Delivery(message.getId(), chunk == null ? -1 : Long.parseLong(chunk));
    }

    /** The entry was processed: acknowledged and deleted, in one round trip. */
    void done(String entryId) {
        redis.pipelined(commands -> List.of(commands.xack(stream, GROUP, entryId), commands.xdel(stream, entryId)));
    }

    /** Gives a delivered chunk back: added again for any worker, and this delivery acknowledged. */
    void release(Delivery delivery) {
        enqueue(List.of(delivery.chunk()));
        done(delivery.entryId());
    }

    /** Tells the group that the consumer still works on these entries, so nobody reclaims them. */
    void confirm(String consumer, List<String> entryIds) {
        if (!entryIds.isEmpty()) {
            redis.commands()
                    .xclaim(
                            stream,
                            Consumer.from(GROUP, consumer),
                            XClaimArgs.Builder.justid().minIdleTime(Duration.ZERO),
                            entryIds.toArray(String[]::new));
        }
    }

    /** Removes a consumer that has nothing pending any more. */
    void forget(String consumer) {
        redis.commands().xgroupDelconsumer(stream, Consumer.from(GROUP, consumer));
    }

    /** Entries waiting in the stream, delivered or not. */
    long backlog() {
        return redis.commands().xlen(stream);
    }

    /** Adds dead-lettered rows to the dead-letter feed, in one round trip. */
    void deadLettered(long job, String entity, List<ImportJobs.RecordedFailure> failures) {
        XAddArgs trimmed =
                XAddArgs.Builder.maxlen(settings.deadLetterStreamLength()).approximateTrimming();
        redis.pipelined(commands -> failures.stream()
                .<RedisFuture<?>>map(failure -> commands.xadd(
                        deadLetters,
                        trimmed,
                        Map.of(
                                "id", Long.toString(failure.id()),
                                "job", Long.toString(job),
                                "entity", entity,
                                "line", Long.toString(failure.line()),
                                "reason", failure.reason())))
                .toList());
    }

    /** Publishes a message on a job's progress channel. */
    void publish(long job, String message) {
        redis.commands().publish(channel(job), message);
    }

    /** The progress channel of a job: {@code import:{id}}. */
    String channel(long job) {
        return settings.redisPrefix() + job;
    }

    /** The job of a progress channel, or -1. */
    long job(String channel) {
        try {
            return Long.parseLong(channel.substring(settings.redisPrefix().length()));
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
