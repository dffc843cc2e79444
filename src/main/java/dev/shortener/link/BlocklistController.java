package dev.shortener.link;

import dev.shortener.platform.JsonRequest;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The blocklist of the destination policy, as admins keep it (BLOCKLIST_FILE holds more). */
@RestController
@Tag(name = "blocklist")
class BlocklistController {

    private final Blocklist blocklist;

    /** A domain to block, and why. */
    @JsonRequest
    record DomainToBlock(
            @NotNull @NotBlank @Size(max = 253) @DomainName String domain,
            @Nullable @Size(max = 500) String reason) {}

    BlocklistController(Blocklist blocklist) {
        this.blocklist = blocklist;
    }

    @GetMapping("/blocked-domains")
    @Operation(summary = "The domains admins blocked (subdomains included); BLOCKLIST_FILE's are not listed")
    @ApiResponse(responseCode = "200", description = "The domains, by name")
    List<Blocklist.BlockedDomain> list() {
        return blocklist.added();
    }

    @PostMapping("/blocked-domains")
    @Operation(summary = "Block a domain and its subdomains: no new link or change may point there")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(example = "{\"domain\":\"phish.example\",\"reason\":\"report 12\"}")))
    @ApiResponse(responseCode = "201", description = "Blocked")
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "409", description = "Blocked already")
    @ApiResponse(responseCode = "422", description = "Not a domain name")
    ResponseEntity<Map<String, String>> add(@RequestBody DomainToBlock body) {
        String domain = Blocklist.normalized(body.domain()).orElseThrow(); // @DomainName checked it
        if (!blocklist.add(domain, body.reason())) {
            throw Problems.conflict("The domain " + domain + " is blocked already");
        }
        return ResponseEntity.created(URI.create("/blocked-domains/" + domain)).body(Map.of("domain", domain));
    }

    @DeleteMapping("/blocked-domains/{domain}")
    @Operation(summary = "Unblock a domain that an admin blocked")
    @ApiResponse(responseCode = "204", description = "Unblocked")
    @ApiResponse(responseCode = "404", description = "Not blocked through the API")
    ResponseEntity<Void> remove(@PathVariable String domain) {
        if (!blocklist.remove(Blocklist.normalized(domain).orElse(domain))) {
            throw Problems.notFound("The domain " + domain + " is not on the blocklist");
        }
        return ResponseEntity.noContent().build();
    }
}
