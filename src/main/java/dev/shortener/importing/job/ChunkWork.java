package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.LinksImported;
import dev.shortener.importing.csv.ChunkCodec;
import dev.shortener.importing.csv.CsvFile;
import dev.shortener.importing.job.ImportChunks.Claim;
import dev.shortener.importing.load.ChunkLoader;
import dev.shortener.importing.load.ChunkRows;
import dev.shortener.importing.load.ChunkRows.Failure;
import dev.shortener.importing.load.RowFailure;
import dev.shortener.link.Destinations;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one stored chunk to its end, for a worker or for the request of a synchronous import.
 *
 * <p>An attempt claims the chunk (counting the attempt), reads its records, and in one
 * transaction locks the chunk, loads the valid rows, records the failed rows and marks the chunk
 * done, so a chunk is applied once however often it is delivered: a delivery of a chunk that is
 * done changes nothing. A failed attempt (a timeout, a lost connection; rows the database refuses
 * are not failures of the attempt, the loader isolates them) is retried after a pause that doubles
 * each time; after the last attempt the chunk is split in two halves that start afresh, down to a
 * single record, which is then recorded as failed with the last error.
 *
 * <p>After the commit, the short codes of imported urls (and the codes they replaced) are evicted
 * from the link caches of every instance.
 */
@Component
public class ChunkWork {

    private static final Logger log = LoggerFactory.getLogger(ChunkWork.class);

    /** What became of the chunk for the caller. */
    enum Kind {
        /** Done now, or before by someone else. */
        DONE,
        /** Replaced by two halves: pending chunks, which a synchronous caller runs itself. */
        SPLIT,
        /** The caller stopped before it was done: give it back. */
        RELEASED
    }

    /** The outcome of a run: the rows imported and failed in it, or the halves it was split into. */
    record Result(Kind kind, List<Long> halves, int imported, List<RowFailure> failures) {

        static Result of(Kind kind) {
            return new Result(kind, List.of(), 0, List.of());
        }
    }

    /** Waits between attempts; false when the caller is stopping and the chunk must be given back. */
    @FunctionalInterface
    interface Pause {
        boolean await(Duration pause);
    }

    /** What a committed attempt wrote. */
    private record Committed(
            ImportJob job, int imported, List<Failure> failures, List<String> cacheKeys, List<Long> halves) {}

    private final ImportJobs jobs;
    private final ImportChunks chunks;
    private final ChunkLoader loader;
    private final ImportProgress progress;
    private final ImportMetrics metrics;
    private final ImportSettings settings;
    private final ApplicationEventPublisher events;
    private final Destinations destinations;
    private final TransactionTemplate transactions;

    ChunkWork(
            ImportJobs jobs,
            ImportChunks chunks,
            ChunkLoader loader,
            ImportProgress progress,
            ImportMetrics metrics,
            ImportSettings settings,
            ApplicationEventPublisher events,
            Destinations destinations,
            PlatformTransactionManager transactions) {
        this.jobs = jobs;
        this.chunks = chunks;
        this.destinations = destinations;
        this.events = events;
        this.loader = loader;
        this.progress = progress;
        this.metrics = metrics;
        this.settings = settings;
        this.transactions = new TransactionTemplate(transactions);
    }

    /**
     * Runs the chunk until it is done (by this caller or, after a lease ran out, by another) or
     * split, unless the caller stops.
     *
     * @param deadLetters whether failed rows are dead letters (nobody waits for the answer)
     */
    Result run(long chunk, boolean deadLetters, Pause pause) {
        int maxAttempts = settings.worker().maxAttempts();
        while (true) {
            Optional<Claim> claimed = chunks.claim(chunk);
            if (claimed.isEmpty()) {
                return Result.of(Kind.DONE);
            }
            Claim claim = claimed.get();
            if (!claim.jobStarted()) {
                jobs.markStarted(claim.job());
            }
            try {
                Committed committed =
                        claim.attempts() > maxAttempts ? giveUp(claim, deadLetters) : attempt(claim, deadLetters);
                if (committed == null) {
                    return Result.of(Kind.DONE);
                }
                return afterCommit(claim, committed, deadLetters);
            } catch (RuntimeException e) {
                log.warn(
                        "Chunk {} of import job {} ({} rows) failed attempt {} of {}: {}",
                        chunk,
                        claim.job(),
                        claim.rows(),
                        claim.attempts(),
                        maxAttempts,
                        e.toString());
                try {
                    chunks.recordError(chunk, describe(e));
                } catch (RuntimeException unrecorded) {
                    log.debug("Error of chunk {} not recorded: {}", chunk, unrecorded.toString());
                }
                if (claim.attempts() < maxAttempts
                        && !pause.await(settings.worker().backoffAfter(claim.attempts()))) {
                    return Result.of(Kind.RELEASED);
                }
            }
        }
    }

    private @Nullable Committed attempt(Claim claim, boolean deadLetters) {
        ChunkRows rows = ChunkRows.read(
                claim.entity(),
                claim.header(),
                ChunkCodec.decode(claim.content(), claim.firstLine(), claim.rows()),
                destinations);
        return transactions.execute(status -> {
            if (!chunks.lockPending(claim.chunk())) {
                return null;
            }
            ChunkLoader.Outcome outcome = loader.loadWithin(claim.entity(), rows.rows());
            List<Failure> failures = rows.failures(outcome.failures());
            return commit(claim, outcome.imported(), failures, outcome.cacheKeys(), deadLetters);
        });
    }

    /** After the last attempt: two halves that start afresh, or the single record failed. */
    private @Nullable Committed giveUp(Claim claim, boolean deadLetters) {
        List<CsvFile.Record> records = ChunkCodec.decode(claim.content(), claim.firstLine(), claim.rows());
        return transactions.execute(status -> {
            if (!chunks.lockPending(claim.chunk())) {
                return null;
            }
            if (records.size() > 1) {
                List<Long> halves = chunks.split(claim, records);
                log.info(
                        "Chunk {} of import job {} failed {} attempts; split into chunks {}",
                        claim.chunk(),
                        claim.job(),
                        claim.attempts() - 1,
                        halves);
                ImportJob job = jobs.find(claim.job()).orElseThrow();
                return new Committed(job, 0, List.of(), List.of(), halves);
            }
            List<Failure> failures = records.stream()
                    .map(record -> new Failure(
                            record.line(),
                            ChunkCodec.encode(record.values()),
                            "not imported after " + (claim.attempts() - 1) + " attempts: "
                                    + (claim.lastError() != null ? claim.lastError() : "no attempt finished")))
                    .toList();
            return commit(claim, 0, failures, List.of(), deadLetters);
        });
    }

    private Committed commit(
            Claim claim, int imported, List<Failure> failures, List<String> cacheKeys, boolean deadLetters) {
        jobs.recordFailures(claim.job(), failures, deadLetters);
        ImportJob job = chunks.recordDone(claim.chunk(), claim.job(), imported, failures.size());
        return new Committed(job, imported, failures, cacheKeys, List.of());
    }

    private Result afterCommit(Claim claim, Committed committed, boolean deadLetters) {
        if (!committed.halves().isEmpty()) {
            return new Result(Kind.SPLIT, committed.halves(), 0, List.of());
        }
        events.publishEvent(new LinksImported(committed.cacheKeys()));
        metrics.rows(claim.entity(), committed.imported(), committed.failures().size());
        if (deadLetters && !committed.failures().isEmpty()) {
            metrics.deadLettered(committed.failures().size());
        }
        progress.publish(committed.job());
        finishIfDone(claim.job());
        List<RowFailure> failures = committed.failures().stream()
                .map(f -> new RowFailure(f.line(), f.reason()))
                .toList();
        return new Result(Kind.DONE, List.of(), committed.imported(), failures);
    }

    /** Ends the job when its upload is stored and every chunk is done; publishes the final state. */
    Optional<ImportJob> finishIfDone(long job) {
        Optional<ImportJob> finished = jobs.completeIfDone(job);
        finished.ifPresent(done -> {
            metrics.finished(done);
            progress.publish(done);
            log.info(
                    "Import job {} {}: {} rows imported, {} failed, in {} s",
                    done.id(),
                    done.state(),
                    done.rowsImported(),
                    done.rowsFailed(),
                    done.elapsedSeconds());
            try {
                chunks.dropAll(job);
            } catch (RuntimeException e) {
                log.warn("Stored chunks of finished import job {} not dropped: {}", job, e.toString());
            }
        });
        return finished;
    }

    private static String describe(RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = String.valueOf(cause.getMessage());
        return message.length() <= 500 ? message : message.substring(0, 500) + "…";
    }
}
