package dev.shortener.importing;

import dev.shortener.importing.csv.ChunkCodec;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of bulk imports.
 *
 * @param chunkSize records per chunk: stored, claimed, staged and applied together ({@code
 *     IMPORT_CHUNK_SIZE}); a chunk also ends at {@link ChunkCodec#MAX_CHUNK_CHARS}
 * @param maxReportedErrors failed rows listed in a synchronous report; every failure is still
 *     counted ({@code IMPORT_MAX_REPORTED_ERRORS})
 * @param statementTimeout statement timeout inside an import transaction ({@code
 *     IMPORT_STATEMENT_TIMEOUT})
 * @param asyncAbove uploads larger than this become jobs (202) even without {@code Prefer:
 *     respond-async} ({@code IMPORT_ASYNC_ABOVE})
 * @param stallTimeout an upload whose heartbeat is older than this is closed with an error, and a
 *     synchronous import waits this long at most for a chunk a worker took over ({@code
 *     IMPORT_STALL_TIMEOUT})
 * @param sweepInterval how often worker instances look for stalled jobs ({@code
 *     IMPORT_SWEEP_INTERVAL})
 * @param progressInterval longest pause between two progress events of a running job ({@code
 *     IMPORT_PROGRESS_INTERVAL})
 * @param eventsTimeout longest life of one event stream; the client reconnects with {@code
 *     Last-Event-ID} ({@code IMPORT_EVENTS_TIMEOUT})
 * @param eventsPerCaller event streams one caller (user, operator key or client address) may hold open
 *     at once ({@code IMPORT_EVENTS_PER_CALLER}); one more is a 429
 * @param queue the queue this instance's jobs go to and its workers take chunks from, also the
 *     prefix of the jobs' progress channels in Redis, so that deployments can share PostgreSQL and
 *     Redis ({@code IMPORT_QUEUE})
 * @param worker the chunk workers of this instance
 */
@ConfigurationProperties("shortener.importing")
public record ImportSettings(
        @DefaultValue("5000") int chunkSize,
        @DefaultValue("1000") int maxReportedErrors,
        @DefaultValue("60s") Duration statementTimeout,
        @DefaultValue("5MB") DataSize asyncAbove,
        @DefaultValue("2m") Duration stallTimeout,
        @DefaultValue("15s") Duration sweepInterval,
        @DefaultValue("1s") Duration progressInterval,
        @DefaultValue("10m") Duration eventsTimeout,
        @DefaultValue("10") int eventsPerCaller,
        @DefaultValue("import") String queue,
        @DefaultValue Worker worker) {

    /**
     * The chunk workers of an instance.
     *
     * @param enabled whether this instance claims chunks at all ({@code WORKER_ENABLED})
     * @param threads chunks processed at once by this instance ({@code IMPORT_WORKER_THREADS})
     * @param poll how long an idle worker waits before it looks for a chunk again ({@code
     *     IMPORT_WORKER_POLL})
     * @param reclaimIdle a chunk whose worker stopped renewing its lease for this long is taken over
     *     by another ({@code IMPORT_RECLAIM_IDLE})
     * @param maxAttempts failed attempts of a chunk before it is split in two ({@code
     *     IMPORT_MAX_ATTEMPTS})
     * @param backoff pause after the first failed attempt, doubled after each next one ({@code
     *     IMPORT_RETRY_BACKOFF})
     * @param shutdownWait how long a stopping worker may finish its chunk before releasing it
     *     ({@code IMPORT_WORKER_SHUTDOWN_WAIT})
     */
    public record Worker(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("2") int threads,
            @DefaultValue("500ms") Duration poll,
            @DefaultValue("30s") Duration reclaimIdle,
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("500ms") Duration backoff,
            @DefaultValue("15s") Duration shutdownWait) {

        public Worker {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("shortener.importing.worker.threads must be from 1 to 64");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("shortener.importing.worker.max-attempts must be at least 1");
            }
            requirePositive("worker.poll", poll);
            requirePositive("worker.reclaim-idle", reclaimIdle);
            requirePositive("worker.backoff", backoff);
            requirePositive("worker.shutdown-wait", shutdownWait);
        }

        /** The pause after {@code attempt} failed attempts: backoff, then doubled, at most 64 times. */
        public Duration backoffAfter(int attempt) {
            return backoff.multipliedBy(1L << Math.clamp(attempt - 1, 0, 6));
        }
    }

    public ImportSettings {
        if (chunkSize < 1 || chunkSize > 100_000) {
            throw new IllegalArgumentException("shortener.importing.chunk-size must be from 1 to 100000");
        }
        if (maxReportedErrors < 1) {
            throw new IllegalArgumentException("shortener.importing.max-reported-errors must be at least 1");
        }
        if (!queue.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "shortener.importing.queue must be 1 to 64 of A-Z a-z 0-9 . _ -, not '" + queue + "'");
        }
        requirePositive("statement-timeout", statementTimeout);
        requirePositive("stall-timeout", stallTimeout);
        requirePositive("sweep-interval", sweepInterval);
        requirePositive("progress-interval", progressInterval);
        requirePositive("events-timeout", eventsTimeout);
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("shortener.importing." + name + " must be positive");
        }
    }
}
