package dev.shortener.event;

import dev.shortener.identity.Caller;
import dev.shortener.link.Links;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "urls")
class LinkStatisticsController {

    private final ClickStatistics statistics;
    private final Links links;

    LinkStatisticsController(ClickStatistics statistics, Links links) {
        this.statistics = statistics;
        this.links = links;
    }

    @GetMapping("/urls/{id}/stats")
    @Operation(summary = "Click statistics of a link: total, per day for the last 30 days, top referrers")
    @ApiResponse(
            responseCode = "200",
            description = "The statistics, including every click recorded so far",
            content = @Content(schema = @Schema(implementation = LinkStatistics.class)))
    @ApiResponse(responseCode = "404", description = "No such link of the caller (admins: and no events of it)")
    LinkStatistics stats(@PathVariable long id) {
        Caller caller = Caller.current();
        // Admins also see the statistics of deleted links; an owner sees those of its live links.
        boolean allowed = caller.admin() || links.findFor(id, caller).isPresent();
        return statistics
                .of(id)
                .filter(found -> allowed)
                .orElseThrow(() -> Problems.notFound("Link " + id + " does not exist"));
    }
}
