package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.load.Entity;
import dev.shortener.importing.load.RowFailure;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Imports CSV files as jobs, in two ways through one pipeline: the file is stored as chunks of
 * records ({@link UploadIntake}) and every chunk is run by {@link ChunkWork}.
 *
 * <ul>
 *   <li>{@link #importFile} (small uploads, the CLI, demo data): the caller's thread runs each
 *       chunk as soon as it is stored and answers with the report; a bad row never stops the file.
 *   <li>{@link #submit} (large uploads, {@code Prefer: respond-async}): each stored chunk is
 *       pending in PostgreSQL for the workers of any instance; the job is answered once the whole
 *       file is stored.
 * </ul>
 */
@Component
public class CsvImporter {

    private static final Duration FINISH_POLL = Duration.ofMillis(100);

    /** A submitted file: the stored job, or the reason nothing of the file can be imported. */
    public record Submission(
            @Nullable ImportJob job, @Nullable ImportReport refused) {}

    private final UploadIntake intake;
    private final ChunkWork work;
    private final ImportJobs jobs;
    private final ImportSettings settings;

    CsvImporter(UploadIntake intake, ChunkWork work, ImportJobs jobs, ImportSettings settings) {
        this.intake = intake;
        this.work = work;
        this.jobs = jobs;
        this.settings = settings;
    }

    /** Reads the stream as UTF-8 (a byte-order mark is dropped). */
    public ImportReport importFile(Entity entity, InputStream in) {
        return importFile(entity, in, null, null);
    }

    public ImportReport importFile(Entity entity, String csv) {
        return importFile(entity, new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), null, null);
    }

    public ImportReport importFile(Entity entity, InputStream in, @Nullable String fileName, @Nullable Long fileSize) {
        return importFile(entity, in, fileName, fileSize, rows -> {});
    }

    /**
     * Imports the file (UTF-8) in the caller's thread and reports what became of every row;
     * {@code rowsDone} hears of the rows of every chunk once it is done.
     */
    public ImportReport importFile(
            Entity entity, InputStream in, @Nullable String fileName, @Nullable Long fileSize, LongConsumer rowsDone) {
        Inline inline = new Inline(settings.maxReportedErrors(), rowsDone);
        UploadIntake.Received received = intake.receive(entity, in, "sync", fileName, fileSize, false, inline::run);
        return switch (received) {
            case UploadIntake.Refused refused -> new ImportReport(0, 1, List.of(refused.failure()));
            case UploadIntake.Stored stored -> {
                if (stored.unreadable() != null) {
                    inline.report(List.of(stored.unreadable()));
                }
                yield awaitFinished(stored.job()).report(inline.reported);
            }
        };
    }

    /** Stores the file as a job for the workers and answers the job once the file is stored. */
    public Submission submit(Entity entity, InputStream in, @Nullable String fileName, @Nullable Long fileSize) {
        // a stored chunk of an asynchronous job is in the queue already: nothing to hand on
        UploadIntake.Received received = intake.receive(entity, in, "async", fileName, fileSize, true, chunk -> {});
        return switch (received) {
            case UploadIntake.Refused refused ->
                new Submission(null, new ImportReport(0, 1, List.of(refused.failure())));
            case UploadIntake.Stored stored -> {
                work.finishIfDone(stored.job());
                yield new Submission(jobs.find(stored.job()).orElseThrow(), null);
            }
        };
    }

    /** Ends the job, or waits for the chunks someone else was running when this thread reached them. */
    private ImportJob awaitFinished(long job) {
        long deadline = System.nanoTime() + settings.stallTimeout().toNanos();
        while (true) {
            ImportJob finished =
                    work.finishIfDone(job).orElseGet(() -> jobs.find(job).orElseThrow());
            if (finished.finished() || System.nanoTime() > deadline) {
                return finished;
            }
            sleep(FINISH_POLL);
        }
    }

    private static boolean sleep(Duration pause) {
        try {
            Thread.sleep(pause);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs stored chunks in the caller's thread, halves included, and keeps the first failures. */
    private final class Inline {

        private final int maxReported;
        private final LongConsumer rowsDone;
        private final List<RowFailure> reported = new ArrayList<>();

        Inline(int maxReported, LongConsumer rowsDone) {
            this.maxReported = maxReported;
            this.rowsDone = rowsDone;
        }

        void run(long chunk) {
            Deque<Long> todo = new ArrayDeque<>(List.of(chunk));
            while (!todo.isEmpty()) {
                long next = todo.pop();
                ChunkWork.Result result = work.run(next, false, CsvImporter::sleep);
                switch (result.kind()) {
                    case DONE -> {
                        report(result.failures());
                        rowsDone.accept(result.imported() + result.failures().size());
                    }
                    case SPLIT -> result.halves().reversed().forEach(todo::push);
                    case RELEASED -> throw new IllegalStateException("interrupted while importing chunk " + next);
                }
            }
        }

        void report(List<RowFailure> failures) {
            for (RowFailure failure : failures) {
                if (reported.size() < maxReported) {
                    reported.add(failure);
                }
            }
        }
    }
}
