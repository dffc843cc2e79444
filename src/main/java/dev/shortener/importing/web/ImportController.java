package dev.shortener.importing.web;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.job.CsvImporter;
import dev.shortener.importing.job.ImportJob;
import dev.shortener.importing.job.ImportReport;
import dev.shortener.importing.load.Entity;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /users/bulk}, {@code /urls/bulk} and {@code /events/bulk}: CSV imports, answered at
 * once for small files and as jobs for large ones or on request.
 */
@RestController
@Tag(name = "imports")
public class ImportController {

    /** The multipart form of an import. */
    @Schema(name = "ImportUpload")
    record Upload(
            @Schema(
                    type = "string",
                    format = "binary",
                    description = "CSV with a header row; see docs/imports.md for the columns")
            String file) {}

    private final CsvImporter importer;
    private final ImportSettings settings;

    ImportController(CsvImporter importer, ImportSettings settings) {
        this.importer = importer;
        this.settings = settings;
    }

    @PostMapping("/{entity:users|urls|events}/bulk")
    @Operation(
            summary = "Import users, urls or events from a CSV file",
            description = "Rows with an id are upserted by id (and the id sequence moves past them); users"
                    + " without one by e-mail address, urls by short code, events are appended. A bad row is"
                    + " reported by line and never stops the file; every good row is imported.\n\n"
                    + "Small files are imported at once and answered 201 with the report. With `Prefer:"
                    + " respond-async`, or for a file above IMPORT_ASYNC_ABOVE (5 MB), the file is stored as a"
                    + " job and answered 202 with the job and `Location: /imports/{id}`; workers import it,"
                    + " `GET /imports/{id}` and `GET /imports/{id}/events` follow it, and rows that cannot be"
                    + " imported go to the dead-letter queue (`GET /imports/dead-letters`).")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "multipart/form-data", schema = @Schema(implementation = Upload.class)))
    @ApiResponse(
            responseCode = "201",
            description = "Imported; failed rows are listed by line",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ImportReport.class)))
    @ApiResponse(
            responseCode = "202",
            description = "Stored as a job that workers import; Location: /imports/{id}",
            headers = {
                @Header(name = "Location", description = "/imports/{id}"),
                @Header(name = "Preference-Applied", description = "respond-async, when it was asked for")
            },
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ImportJob.class)))
    @ApiResponse(responseCode = "400", description = "Not a multipart upload, or no 'file' part")
    @ApiResponse(responseCode = "413", description = "The upload is larger than IMPORT_MAX_FILE_SIZE")
    @ApiResponse(
            responseCode = "422",
            description = "No row could be imported (for a job: the file is empty or its header lacks a required"
                    + " column); the problem lists the errors by line")
    ResponseEntity<?> importFile(
            @Parameter(schema = @Schema(allowableValues = {"users", "urls", "events"})) @PathVariable String entity,
            @Parameter(
                            description = "respond-async (RFC 7240) asks for a job answered 202 whatever the file's"
                                    + " size")
                    @RequestHeader(name = "Prefer", required = false)
                    @Nullable
                    String prefer,
            @Parameter(hidden = true) @RequestPart(name = "file", required = false) @Nullable Part file)
            throws IOException {
        if (file == null) {
            throw Problems.badRequest("Expected a multipart/form-data upload with a 'file' part");
        }
        Entity target = Entity.named(entity).orElseThrow();
        boolean asked = respondAsync(prefer);
        if (asked || file.getSize() > settings.asyncAbove().toBytes()) {
            CsvImporter.Submission submission;
            try (InputStream in = file.getInputStream()) {
                submission = importer.submit(target, in, file.getSubmittedFileName(), file.getSize());
            }
            if (submission.job() == null) {
                throw nothingImported(java.util.Objects.requireNonNull(submission.refused()));
            }
            ResponseEntity.BodyBuilder accepted = ResponseEntity.accepted()
                    .location(URI.create("/imports/" + submission.job().id()));
            if (asked) {
                accepted.header("Preference-Applied", "respond-async");
            }
            return accepted.body(submission.job());
        }
        ImportReport report;
        try (InputStream in = file.getInputStream()) {
            report = importer.importFile(target, in, file.getSubmittedFileName(), file.getSize());
        }
        if (report.nothingImported()) {
            throw nothingImported(report);
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(report);
    }

    /** Whether an RFC 7240 Prefer header holds the respond-async preference. */
    static boolean respondAsync(@Nullable String prefer) {
        if (prefer == null) {
            return false;
        }
        for (String preference : prefer.split(",")) {
            String token = preference.split("[;=]", 2)[0].trim();
            if (token.equalsIgnoreCase("respond-async")) {
                return true;
            }
        }
        return false;
    }

    private static ErrorResponseException nothingImported(ImportReport report) {
        ErrorResponseException error = Problems.problem(
                HttpStatus.UNPROCESSABLE_CONTENT, "No row of the file could be imported; errors lists why, by line");
        ProblemDetail problem = error.getBody();
        problem.setType(URI.create("urn:shortener:problem:no-valid-rows"));
        problem.setTitle("No valid row");
        problem.setProperty("imported", report.imported());
        problem.setProperty("count", report.count());
        problem.setProperty("failed", report.failed());
        problem.setProperty("errors", report.errors());
        return error;
    }
}
