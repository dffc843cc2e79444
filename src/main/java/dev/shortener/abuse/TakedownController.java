package dev.shortener.abuse;

import dev.shortener.identity.Caller;
import dev.shortener.platform.JsonRequest;
import dev.shortener.platform.PageRequest;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Admins take links down (410 on every instance within a second) and put them back. */
@RestController
@Tag(name = "abuse")
class TakedownController {

    static final int REASON_MAX_LENGTH = 500;

    private final Takedowns takedowns;

    /** Why a link is taken down. */
    @JsonRequest
    record Reason(
            @NotNull @NotBlank @Size(max = REASON_MAX_LENGTH)
            String reason) {

        Reason {
            reason = reason == null ? null : reason.trim();
        }
    }

    TakedownController(Takedowns takedowns) {
        this.takedowns = takedowns;
    }

    @PutMapping("/urls/{id}/block")
    @Operation(summary = "Take a link down: its redirect answers 410 Gone until it is unblocked")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(example = "{\"reason\":\"phishing (report 12)\"}")))
    @ApiResponse(responseCode = "200", description = "Blocked")
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No such link")
    @ApiResponse(responseCode = "422", description = "No reason")
    Takedowns.Takedown block(@PathVariable long id, @RequestBody Reason body) {
        return takedowns
                .block(id, body.reason(), Caller.current().actor())
                .orElseThrow(() -> Problems.notFound("URL " + id + " does not exist"));
    }

    @DeleteMapping("/urls/{id}/block")
    @Operation(summary = "Put a blocked link back: it redirects again (if it is active)")
    @ApiResponse(responseCode = "204", description = "Unblocked")
    @ApiResponse(responseCode = "404", description = "The link is not blocked")
    ResponseEntity<Void> unblock(@PathVariable long id) {
        if (!takedowns.unblock(id, Caller.current().actor())) {
            throw Problems.notFound("URL " + id + " is not blocked");
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/blocked-links")
    @Operation(summary = "The links that are down, latest first")
    @ApiResponse(responseCode = "200", description = "A page of blocked links; X-Total-Count and Link headers")
    @ApiResponse(responseCode = "400", description = "Bad paging parameters")
    ResponseEntity<List<Takedowns.Takedown>> list(@Valid @ParameterObject PageRequest paging) {
        return paging.respond(takedowns.page(paging.offset(), paging.perPage()), takedowns.count());
    }
}
