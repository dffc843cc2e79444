package dev.shortener.event;

import dev.shortener.identity.Caller;
import dev.shortener.link.Links;
import dev.shortener.platform.Cursor;
import dev.shortener.platform.JsonRequest;
import dev.shortener.platform.Listings;
import dev.shortener.platform.PageRequest;
import dev.shortener.platform.Problems;
import dev.shortener.user.Users;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

@RestController
@Tag(name = "events")
class EventController {

    /** An event a client records itself. */
    @Schema(name = "EventInput", example = """
            {"event_type":"share","url_id":1,"user_id":1,"details":{"channel":"email"}}""")
    @JsonRequest
    record EventInput(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minLength = 1, maxLength = Event.TYPE_MAX_LENGTH)
            @NotNull
            @NotBlank
            @Size(max = Event.TYPE_MAX_LENGTH)
            String eventType,

            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The link; it must exist")
            @NotNull
            @Positive
            Long urlId,

            @Schema(description = "The user; it must exist") @Nullable @Positive
            Long userId,

            @Schema(types = "object", description = "Any JSON object (default {})")
            ObjectNode details) {

        EventInput {
            eventType = eventType == null ? null : eventType.trim();
            details = details == null ? JsonNodeFactory.instance.objectNode() : details;
        }
    }

    private final Events events;
    private final ClickRecorder clicks;
    private final Links links;
    private final Users users;
    private final Listings listings;

    EventController(Events events, ClickRecorder clicks, Links links, Users users, Listings listings) {
        this.events = events;
        this.clicks = clicks;
        this.links = links;
        this.users = users;
        this.listings = listings;
    }

    @GetMapping("/events")
    @Operation(
            summary = "List events of the caller's links (admins: all) by id, filtered and one page at a time;"
                    + " includes every click so far; by number or by cursor")
    @ApiResponse(responseCode = "200", description = "A page of events")
    @ApiResponse(responseCode = "400", description = "Bad filter or paging parameters")
    ResponseEntity<List<Event>> list(
            @Parameter(description = "Only events of this link")
                    @RequestParam(name = "url_id", required = false)
                    @Nullable
                    Long urlId,
            @Parameter(description = "Only events of this user")
                    @RequestParam(name = "user_id", required = false)
                    @Nullable
                    Long userId,
            @Parameter(description = "Only events of this type (created, updated, deleted, click, ...)")
                    @RequestParam(name = "event_type", required = false)
                    @Nullable
                    String eventType,
            @Valid @ParameterObject PageRequest paging,
            @Valid @ParameterObject Cursor cursor) {
        Events.Filter filter = new Events.Filter(
                urlId,
                userId,
                eventType == null || eventType.isBlank() ? null : eventType.trim(),
                Caller.current().listableOwner());
        Long link = filter.urlId();
        if (link != null) {
            clicks.flush(link);
        } else {
            clicks.flush();
        }
        return listings.respond(events.list(filter), paging, cursor);
    }

    @GetMapping("/events/{id}")
    @Operation(summary = "One event of a link of the caller")
    @ApiResponse(responseCode = "404", description = "No such event of a link of the caller")
    Event get(@PathVariable long id) {
        // no flush: an event's id is known once it is stored
        Caller caller = Caller.current();
        return events.find(id)
                .filter(event ->
                        caller.admin() || links.findFor(event.urlId(), caller).isPresent())
                .orElseThrow(() -> Problems.notFound("Event " + id + " does not exist"));
    }

    @PostMapping("/events")
    @Operation(summary = "Record an event of a link")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = EventInput.class)))
    @ApiResponse(
            responseCode = "201",
            description = "Created",
            content = @Content(schema = @Schema(implementation = Event.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No such link or user")
    @ApiResponse(
            responseCode = "422",
            description = "Invalid fields (event_type, url_id, user_id, details not an object)")
    ResponseEntity<Event> create(@RequestBody EventInput input) {

        if (!links.exists(input.urlId())) {
            throw Problems.notFound("URL " + input.urlId() + " does not exist");
        }
        Long userId = input.userId();
        if (userId != null && !users.exists(userId)) {
            throw Problems.notFound("User " + userId + " does not exist");
        }
        Event event = events.append(
                input.urlId(),
                userId,
                input.eventType(),
                input.details(),
                Caller.current().actor());
        return ResponseEntity.created(URI.create("/events/" + event.id())).body(event);
    }
}
