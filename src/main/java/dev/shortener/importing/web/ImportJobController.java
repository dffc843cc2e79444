package dev.shortener.importing.web;

import dev.shortener.identity.Caller;
import dev.shortener.importing.csv.CsvFile;
import dev.shortener.importing.job.DeadLetters;
import dev.shortener.importing.job.ImportJob;
import dev.shortener.importing.job.ImportJobs;
import dev.shortener.importing.load.Entity;
import dev.shortener.platform.JsonRequest;
import dev.shortener.platform.PageRequest;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Import jobs ({@code /imports/{id}}, their progress events) and the dead-letter queue. */
@RestController
@Tag(name = "imports")
public class ImportJobController {

    /** The body of a replay: a corrected record, or nothing to replay the stored one. */
    @Schema(name = "DeadLetterReplay", example = """
            {"raw_row":"5,ada,ada@example.com,2024-11-14 04:11:00"}""")
    @JsonRequest(partial = true)
    record ReplayInput(
            @Schema(
                    description = "The corrected record as one CSV line, with the columns of the job's"
                            + " file; absent: the stored record is replayed")
            @Nullable
            @Size(max = MAX_RAW_ROW)
            String rawRow) {}

    /** A replayed dead letter. */
    @Schema(name = "DeadLetterReplayed")
    record Replayed(
            long id,
            long jobId,
            long line,
            @Schema(allowableValues = "imported") String outcome,
            ImportJob job) {}

    private static final int MAX_RAW_ROW = CsvFile.MAX_RECORD_CHARS;

    private final ImportJobs jobs;
    private final DeadLetters deadLetters;
    private final ProgressStreams streams;

    ImportJobController(ImportJobs jobs, DeadLetters deadLetters, ProgressStreams streams) {
        this.jobs = jobs;
        this.deadLetters = deadLetters;
        this.streams = streams;
    }

    @GetMapping("/imports/{id}")
    @Operation(summary = "An import job: state, rows total, processed, imported and failed, timings")
    @ApiResponse(
            responseCode = "200",
            description = "The job",
            content = @Content(schema = @Schema(implementation = ImportJob.class)))
    @ApiResponse(responseCode = "404", description = "No such job")
    ImportJob job(@PathVariable long id) {
        return jobs.find(id).orElseThrow(() -> jobNotFound(id));
    }

    @GetMapping("/imports/{id}/events")
    @Operation(
            summary = "Progress of an import job as Server-Sent Events",
            description = "A `progress` event (data: the job) at every change and at least every second while the"
                    + " job is unfinished, from any instance's workers; then one `completed` or `failed` event, and the"
                    + " stream ends. Event ids are the job's versions and never go down. A client that reconnects"
                    + " with `Last-Event-ID` gets the job's state from then on; when it has seen the final event"
                    + " already, the answer is 204 (stop reconnecting).")
    @ApiResponse(
            responseCode = "200",
            description = "The event stream",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(type = "string", example = """
                                    id: 42
                                    event: progress
                                    data: {"id":7,"state":"running","rows_processed":84000,...}

                                    """)))
    @ApiResponse(
            responseCode = "204",
            description = "Last-Event-ID names the final event: nothing more will come",
            content = @Content)
    @ApiResponse(responseCode = "400", description = "Last-Event-ID is not an event id of this stream")
    @ApiResponse(responseCode = "404", description = "No such job")
    @ApiResponse(responseCode = "429", description = "The caller holds IMPORT_EVENTS_PER_CALLER streams open already")
    ResponseEntity<SseEmitter> events(
            @PathVariable long id,
            @Parameter(description = "The id of the last event received, to resume after it")
                    @RequestHeader(name = "Last-Event-ID", required = false)
                    @Nullable
                    String lastEventId,
            HttpServletRequest request) {
        ImportJob job = jobs.find(id).orElseThrow(() -> jobNotFound(id));
        long lastSeen = -1;
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                lastSeen = Long.parseLong(lastEventId.trim());
            } catch (NumberFormatException e) {
                throw Problems.badRequest("Last-Event-ID must be the id of an event of this stream (an integer)");
            }
        }
        if (job.finished() && lastSeen >= job.version()) {
            return ResponseEntity.noContent().build();
        }
        return ResponseEntity.ok()
                .header("Cache-Control", "no-store")
                .header("X-Accel-Buffering", "no")
                .body(streams.open(job, lastSeen, Caller.current().accountable(request.getRemoteAddr())));
    }

    @GetMapping("/imports/dead-letters")
    @Operation(
            summary = "The dead-letter queue: rows of import jobs that could not be imported, oldest first",
            description = "Each dead letter keeps its job, the line of the file, the record and the reason. Replay it"
                    + " after fixing the data (or with a corrected record), or discard it.")
    @ApiResponse(
            responseCode = "200",
            description = "A page of dead letters; X-Total-Count and Link headers",
            content = @Content(array = @ArraySchema(schema = @Schema(implementation = DeadLetters.DeadLetter.class))))
    @ApiResponse(responseCode = "400", description = "Bad paging or filter parameters")
    ResponseEntity<List<DeadLetters.DeadLetter>> deadLetters(
            @Valid @ParameterObject PageRequest paging,
            @Parameter(description = "Only the dead letters of this job")
                    @RequestParam(name = "job_id", required = false)
                    @Nullable
                    Long jobId,
            @Parameter(
                            description = "Only the dead letters of this entity",
                            schema = @Schema(allowableValues = {"users", "urls", "events"}))
                    @RequestParam(required = false)
                    @Nullable
                    String entity) {
        Entity target = null;
        if (entity != null && !entity.isBlank()) {
            target = Entity.named(entity.trim())
                    .orElseThrow(() -> Problems.badRequest("entity must be users, urls or events"));
        }
        return paging.respond(
                deadLetters.page(jobId, target, paging.offset(), paging.perPage()), deadLetters.count(jobId, target));
    }

    @GetMapping("/imports/dead-letters/{id}")
    @Operation(summary = "One dead letter")
    @ApiResponse(
            responseCode = "200",
            description = "The dead letter",
            content = @Content(schema = @Schema(implementation = DeadLetters.DeadLetter.class)))
    @ApiResponse(responseCode = "404", description = "No such dead letter (replayed or discarded already)")
    DeadLetters.DeadLetter deadLetter(@PathVariable long id) {
        return deadLetters.find(id).orElseThrow(() -> deadLetterNotFound(id));
    }

    @PostMapping("/imports/dead-letters/{id}/replay")
    @Operation(
            summary = "Import a dead letter's row again",
            description = "Replays the stored record, or the corrected one in `raw_row`, through the same validation"
                    + " and upsert as its job. Imported: the dead letter is gone and the job counts the row as"
                    + " imported. Refused again: 422, and the dead letter stays with the new reason.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = false,
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ReplayInput.class)))
    @ApiResponse(
            responseCode = "200",
            description = "Imported",
            content = @Content(schema = @Schema(implementation = Replayed.class)))
    @ApiResponse(responseCode = "400", description = "A body that is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No such dead letter")
    @ApiResponse(
            responseCode = "422",
            description = "The row was refused again (type urn:shortener:problem:replay-failed, with the dead"
                    + " letter), or raw_row is not one CSV record")
    Replayed replay(@PathVariable long id, @RequestBody(required = false) @Nullable ReplayInput body) {
        String corrected = body == null ? null : body.rawRow();
        return switch (deadLetters.replay(id, corrected)) {
            case DeadLetters.Imported imported ->
                new Replayed(id, imported.job().id(), imported.letter().line(), "imported", imported.job());
            case DeadLetters.FailedAgain failed -> throw replayFailed(failed.letter());
            case DeadLetters.Unreadable unreadable ->
                throw Problems.invalidFields(java.util.Map.of("raw_row", unreadable.problem()));
            case DeadLetters.NotFound notFound -> throw deadLetterNotFound(id);
        };
    }

    @DeleteMapping("/imports/dead-letters/{id}")
    @Operation(summary = "Discard a dead letter: its row is given up")
    @ApiResponse(responseCode = "204", description = "Discarded")
    @ApiResponse(responseCode = "404", description = "No such dead letter")
    ResponseEntity<Void> discard(@PathVariable long id) {
        if (!deadLetters.discard(id)) {
            throw deadLetterNotFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private static ErrorResponseException jobNotFound(long id) {
        return Problems.notFound("Import job " + id + " not found");
    }

    private static ErrorResponseException deadLetterNotFound(long id) {
        return Problems.notFound("Dead letter " + id + " not found");
    }

    private static ErrorResponseException replayFailed(DeadLetters.DeadLetter letter) {
        ErrorResponseException error = Problems.problem(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "The row at line " + letter.line() + " was refused again: " + letter.reason());
        ProblemDetail problem = error.getBody();
        problem.setType(URI.create("urn:shortener:problem:replay-failed"));
        problem.setTitle("Replay failed");
        problem.setProperty("dead_letter", letter);
        return error;
    }
}
