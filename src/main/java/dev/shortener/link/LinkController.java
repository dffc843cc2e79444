package dev.shortener.link;

import dev.shortener.identity.Caller;
import dev.shortener.platform.Cursor;
import dev.shortener.platform.Listings;
import dev.shortener.platform.PageRequest;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "urls")
class LinkController {

    private final Links links;
    private final Destinations destinations;
    private final Listings listings;

    LinkController(Links links, Destinations destinations, Listings listings) {
        this.links = links;
        this.destinations = destinations;
        this.listings = listings;
    }

    @PostMapping("/urls")
    @Operation(summary = "Shorten a URL (a generated or custom short code); records a created event")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = NewLink.class)))
    @ApiResponse(
            responseCode = "201",
            description = "Created",
            content = @Content(schema = @Schema(implementation = Link.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No such user")
    @ApiResponse(responseCode = "409", description = "The custom short code is taken")
    @ApiResponse(
            responseCode = "422",
            description = "Invalid fields (original_url, title, user_id, short_code, is_active)")
    @ApiResponse(responseCode = "503", description = "No free short code was found in the allowed attempts")
    @ApiResponse(responseCode = "403", description = "A link for another user, asked by a non-admin")
    ResponseEntity<Link> create(@RequestBody NewLink asked) {
        Caller caller = Caller.current();
        NewLink wanted = asked.judgedBy(destinations);
        if (!caller.admin()) {
            if (wanted.userId() != null && !wanted.userId().equals(caller.userId())) {
                throw Problems.problem(HttpStatus.FORBIDDEN, "Only an admin may create links for another user");
            }
            wanted = wanted.ownedBy(caller.userId());
        }
        Link link = links.create(wanted, caller.actor());
        return ResponseEntity.created(URI.create("/urls/" + link.id())).body(link);
    }

    @GetMapping("/urls")
    @Operation(summary = "List links by id, filtered and one page at a time, by number or by cursor")
    @ApiResponse(responseCode = "200", description = "A page of links")
    @ApiResponse(responseCode = "400", description = "Bad filter or paging parameters")
    @ApiResponse(responseCode = "403", description = "Another user's links, asked by a non-admin")
    ResponseEntity<List<Link>> list(
            @Parameter(description = "Only links of this user")
                    @RequestParam(name = "user_id", required = false)
                    @Nullable
                    Long userId,
            @Parameter(description = "Only active (true) or inactive (false) links")
                    @RequestParam(name = "is_active", required = false)
                    @Nullable
                    Boolean isActive,
            @Parameter(description = "Only the link with this short code")
                    @RequestParam(name = "short_code", required = false)
                    @Nullable
                    String shortCode,
            @Valid @ParameterObject PageRequest paging,
            @Valid @ParameterObject Cursor cursor) {
        Caller caller = Caller.current();
        Long owner = userId;
        if (!caller.admin()) {
            if (owner != null && !owner.equals(caller.userId())) {
                throw Problems.problem(HttpStatus.FORBIDDEN, "Only an admin may list another user's links");
            }
            owner = caller.listableOwner();
        }
        LinkFilter filter =
                new LinkFilter(owner, isActive, shortCode == null || shortCode.isBlank() ? null : shortCode.trim());
        return listings.respond(links.list(filter), paging, cursor);
    }

    @GetMapping("/urls/{id}")
    @Operation(summary = "One link of the caller")
    @ApiResponse(responseCode = "404", description = "No such link of the caller")
    Link get(@PathVariable long id) {
        return links.findFor(id, Caller.current()).orElseThrow(() -> notFound(id));
    }

    @PutMapping("/urls/{id}")
    @Operation(
            summary = "Change a link's original_url, title and/or is_active; records one updated event per changed"
                    + " field")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = LinkChanges.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No such link")
    @ApiResponse(responseCode = "422", description = "Invalid fields")
    Link update(@PathVariable long id, @RequestBody LinkChanges changes) {
        UnaryOperator<Link> change = changes.change(destinations);
        return links.updateFor(id, Caller.current(), change).orElseThrow(() -> notFound(id));
    }

    @DeleteMapping("/urls/{id}")
    @Operation(summary = "Delete a link; records a deleted event")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such link")
    @ApiResponse(responseCode = "409", description = "The link was taken down: only an admin deletes it")
    ResponseEntity<Void> delete(@PathVariable long id) {
        get(id);
        Caller caller = Caller.current();
        if (!links.delete(id, caller.actor(), caller.admin())) {
            // its code, freed, would take the same destination again past the takedown
            throw links.takenDown(id)
                    ? Problems.conflict("URL " + id + " was taken down; only an admin can delete it")
                    : notFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private static ErrorResponseException notFound(long id) {
        return Problems.notFound("URL " + id + " does not exist");
    }
}
