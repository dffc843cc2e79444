package dev.shortener.importing.job;

import dev.shortener.importing.load.RowFailure;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;

/**
 * An import job as clients see it: what it imports, where it stands and how long it took. Every
 * change of the job increments {@code version}, which also identifies its progress events.
 */
@Schema(name = "ImportJob", example = """
        {"id":7,"entity":"users","mode":"async","state":"running","file_name":"users.csv","file_size":73304539,\
        "rows_total":1000000,"rows_processed":420000,"rows_imported":419998,"rows_failed":2,"version":213,\
        "error":null,"created_at":"2026-11-28T14:31:59","received_at":"2026-11-28T14:32:01",\
        "started_at":"2026-11-28T14:31:59","finished_at":null,"elapsed_seconds":6.2}""")
public record ImportJob(
        long id,

        @Schema(allowableValues = {"users", "urls", "events"})
        String entity,

        @Schema(
                allowableValues = {"sync", "async"},
                description = "sync: the upload's request ran the chunks and answered 201; async: workers run them")
        String mode,

        @Schema(
                allowableValues = {RECEIVING, QUEUED, RUNNING, COMPLETED, FAILED},
                description = "receiving the upload; queued (stored, no chunk started); running; completed (every"
                        + " row imported or dead-lettered); failed (nothing could be imported, or the upload was"
                        + " interrupted)")
        String state,

        @Nullable String fileName,
        @Nullable Long fileSize,

        @Schema(description = "Records of the file; final once the upload is stored")
        long rowsTotal,

        @Schema(description = "Rows imported or failed so far")
        long rowsProcessed,

        long rowsImported,
        long rowsFailed,

        @Schema(description = "Grows with every change; the id of the job's events")
        long version,

        @Nullable String error,
        LocalDateTime createdAt,

        @Schema(description = "When the upload was stored") @Nullable
        LocalDateTime receivedAt,

        @Schema(description = "When the first chunk was started") @Nullable
        LocalDateTime startedAt,

        @Nullable LocalDateTime finishedAt,

        @Schema(description = "From creation to finish, or to now while unfinished")
        double elapsedSeconds) {

    static final String RECEIVING = "receiving";
    static final String QUEUED = "queued";
    static final String RUNNING = "running";
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";

    /** Completed or failed: nothing changes any more but replays of its dead letters. */
    public boolean finished() {
        return state.equals(COMPLETED) || state.equals(FAILED);
    }

    /** The job's synchronous answer: rows imported and failed, and the failures given. */
    ImportReport report(java.util.List<RowFailure> errors) {
        return new ImportReport(rowsImported, rowsFailed, errors);
    }
}
