package dev.shortener.abuse;

import dev.shortener.identity.Caller;
import dev.shortener.platform.JsonRequest;
import dev.shortener.platform.PageRequest;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Anyone reports an abusive link; admins read the reports and resolve them, taking links down. */
@RestController
@Tag(name = "abuse")
class AbuseReportController {

    private final AbuseReports reports;
    private final Takedowns takedowns;
    private final RateLimits rateLimits;

    /** A report from anyone about a link. */
    @JsonRequest
    record NewReport(
            @NotNull @NotBlank @Size(max = 32) String shortCode,
            @NotNull @NotBlank @Size(max = 1000) String reason,
            @Nullable @Size(max = 254) String contact) {

        NewReport {
            shortCode = shortCode == null ? null : shortCode.trim();
            reason = reason == null ? null : reason.trim();
            contact = contact == null || contact.isBlank() ? null : contact.trim();
        }
    }

    /** An admin's answer to a report. */
    @JsonRequest
    record Resolution(
            @NotNull @NotBlank @Size(max = TakedownController.REASON_MAX_LENGTH)
            String resolution,

            @Nullable Boolean block) {}

    AbuseReportController(AbuseReports reports, Takedowns takedowns, RateLimits rateLimits) {
        this.reports = reports;
        this.takedowns = takedowns;
        this.rateLimits = rateLimits;
    }

    @PostMapping("/abuse-reports")
    @Operation(summary = "Report an abusive short link (phishing, malware, spam); no credential needed")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "application/json",
                            schema =
                                    @Schema(
                                            example = "{\"short_code\":\"aZ3kQ9x\",\"reason\":\"fake bank login\","
                                                    + "\"contact\":\"me@example.com\"}")))
    @ApiResponse(responseCode = "201", description = "Recorded; admins will look at it")
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No link has the short code")
    @ApiResponse(responseCode = "422", description = "Invalid fields (short_code, reason, contact)")
    ResponseEntity<AbuseReports.AbuseReport> report(@RequestBody NewReport body, HttpServletRequest request) {
        // a report of a code no link has would only bury the others in the admins' list; as it tells
        // that no link has the code, it draws on the budget of lookups of unknown codes
        AbuseReports.AbuseReport report = reports.create(
                        body.shortCode(),
                        body.reason(),
                        body.contact(),
                        Caller.current().actor())
                .orElseThrow(() -> {
                    rateLimits.unknownCode(request);
                    return Problems.notFound("No link has the short code " + body.shortCode());
                });
        return ResponseEntity.created(URI.create("/abuse-reports/" + report.id()))
                .body(report);
    }

    @GetMapping("/abuse-reports")
    @Operation(summary = "Abuse reports by id: the open ones, or all")
    @ApiResponse(responseCode = "200", description = "A page of reports; X-Total-Count and Link headers")
    @ApiResponse(responseCode = "400", description = "Bad paging parameters")
    ResponseEntity<List<AbuseReports.AbuseReport>> list(
            @Parameter(description = "Resolved reports too") @RequestParam(defaultValue = "false") boolean all,
            @Valid @ParameterObject PageRequest paging) {
        return paging.respond(reports.page(all, paging.offset(), paging.perPage()), reports.count(all));
    }

    @PostMapping("/abuse-reports/{id}/resolve")
    @Operation(summary = "Resolve a report, and take its link down when block is true")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(example = "{\"resolution\":\"phishing confirmed\",\"block\":true}")))
    @ApiResponse(responseCode = "200", description = "Resolved")
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No such report")
    @ApiResponse(responseCode = "422", description = "No resolution, or block asked for a link that is gone")
    AbuseReports.AbuseReport resolve(@PathVariable long id, @RequestBody Resolution body) {
        String resolution = body.resolution();
        Boolean block = body.block();
        AbuseReports.AbuseReport report =
                reports.find(id).orElseThrow(() -> Problems.notFound("Abuse report " + id + " does not exist"));
        String actor = Caller.current().actor();
        if (Boolean.TRUE.equals(block)) {
            Long urlId = report.urlId();
            if (urlId == null
                    || takedowns
                            .block(urlId, "abuse report " + id + ": " + resolution, actor)
                            .isEmpty()) {
                throw Problems.invalidFields(Map.of("block", "the reported link does not exist"));
            }
        }
        return reports.resolve(id, Objects.requireNonNull(resolution).trim(), actor)
                .orElseThrow();
    }
}
