package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.csv.ChunkCodec;
import dev.shortener.importing.csv.CsvFile;
import dev.shortener.importing.load.Entity;
import dev.shortener.importing.load.RowFailure;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Takes an import file in: reads it one record at a time, checks its header, creates the job and
 * stores the records in PostgreSQL as chunks, handing each stored chunk on (to the queue, or to
 * the synchronous request that runs it). The file is never held whole: one chunk at a time.
 */
@Component
public class UploadIntake {

    /** What became of a file. */
    sealed interface Received {}

    /** Nothing can be imported from the file: it is empty, or its header is unusable. No job exists. */
    record Refused(RowFailure failure) implements Received {}

    /**
     * The file is stored as the job's chunks; {@code unreadable} is the failure of the record where
     * the file stopped being CSV, if it did.
     */
    record Stored(long job, @Nullable RowFailure unreadable) implements Received {}

    private final ImportJobs jobs;
    private final ImportChunks chunks;
    private final ImportSettings settings;

    UploadIntake(ImportJobs jobs, ImportChunks chunks, ImportSettings settings) {
        this.jobs = jobs;
        this.chunks = chunks;
        this.settings = settings;
    }

    /**
     * Stores the file as a job.
     *
     * @param mode {@code sync} or {@code async}
     * @param deadLetters whether the failure of an unreadable record is a dead letter
     * @param stored receives the id of each chunk once it is stored
     */
    Received receive(
            Entity entity,
            InputStream in,
            String mode,
            @Nullable String fileName,
            @Nullable Long fileSize,
            boolean deadLetters,
            LongConsumer stored) {
        CsvFile file = ChunkCodec.upload(in);
        List<String> header;
        long headerLine;
        try {
            CsvFile.Record first = file.header();
            if (first == null) {
                return new Refused(new RowFailure(1, "the file is empty: a header row naming the columns is required"));
            }
            headerLine = first.line();
            header = first.values();
        } catch (CsvFile.Malformed e) {
            return new Refused(unreadable(e));
        }
        String problem = headerProblem(entity, header);
        if (problem != null) {
            return new Refused(new RowFailure(headerLine, problem));
        }
        long job = jobs.create(entity, mode, fileName, fileSize, ChunkCodec.encode(header));
        try {
            CsvFile.Malformed malformed = ChunkCodec.cut(
                    file, settings.chunkSize(), ChunkCodec.MAX_CHUNK_CHARS, (firstLine, records, content) -> {
                        stored.accept(chunks.store(job, firstLine, records, content, mode.equals("sync")));
                    });
            RowFailure unreadable = malformed == null ? null : unreadable(malformed);
            if (unreadable != null) {
                jobs.recordUnreadable(job, unreadable.line(), unreadable.message(), deadLetters);
            }
            jobs.finishIntake(job, null);
            return new Stored(job, unreadable);
        } catch (RuntimeException e) {
            interrupted(job, e);
            throw e;
        }
    }

    private static RowFailure unreadable(CsvFile.Malformed e) {
        return new RowFailure(e.line(), "is not valid CSV (" + e.getMessage() + "); the rest of the file was not read");
    }

    /** The upload broke off: the job keeps the chunks stored so far and ends failed once they are done. */
    private void interrupted(long job, RuntimeException cause) {
        try {
            jobs.finishIntake(job, "the upload was interrupted before it was stored completely (" + cause + ")");
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static @Nullable String headerProblem(Entity entity, List<String> header) {
        Set<String> seen = new HashSet<>();
        for (String name : header) {
            if (!name.isEmpty() && !seen.add(name)) {
                return "the header names the column " + name + " twice";
            }
        }
        List<String> missing = entity.missingColumns(header);
        if (!missing.isEmpty()) {
            return "the header lacks the required column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " (it has " + String.join(", ", header) + ")";
        }
        return null;
    }
}
