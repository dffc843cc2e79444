package dev.shortener.importing;

import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
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
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /users/bulk}, {@code /urls/bulk} and {@code /events/bulk}: synchronous CSV imports. */
@RestController
@Tag(name = "imports")
class ImportController {

    /** The multipart form of an import. */
    @Schema(name = "ImportUpload")
    record Upload(
            @Schema(
                    type = "string",
                    format = "binary",
                    description = "CSV with a header row; see docs/imports.md for the columns")
            String file) {}

    private final CsvImporter importer;

    ImportController(CsvImporter importer) {
        this.importer = importer;
    }

    @PostMapping("/{entity:users|urls|events}/bulk")
    @Operation(
            summary = "Import users, urls or events from a CSV file",
            description = "Rows with an id are upserted by id (and the id sequence moves past them); users"
                    + " without one by e-mail address, urls by short code, events are appended. A bad row is"
                    + " reported by line and never stops the file; every good row is imported.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "multipart/form-data", schema = @Schema(implementation = Upload.class)))
    @ApiResponse(
            responseCode = "201",
            description = "Imported; failed rows are listed by line",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ImportReport.class)))
    @ApiResponse(
            responseCode = "400",
            description = "Not a multipart upload, or no 'file' part",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "413",
            description = "The upload is larger than IMPORT_MAX_FILE_SIZE",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "422",
            description = "No row could be imported; the problem lists the errors by line",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<ImportReport> importFile(
            @Parameter(schema = @Schema(allowableValues = {"users", "urls", "events"})) @PathVariable String entity,
            @Parameter(hidden = true) @RequestPart(name = "file", required = false) @Nullable Part file)
            throws IOException {
        if (file == null) {
            throw Problems.badRequest("Expected a multipart/form-data upload with a 'file' part");
        }
        Entity target = Entity.named(entity).orElseThrow();
        ImportReport report;
        try (InputStream in = file.getInputStream()) {
            report = importer.importFile(target, in);
        }
        if (report.nothingImported()) {
            throw nothingImported(report);
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(report);
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
