package dev.shortener.redirect;

import dev.shortener.event.Click;
import dev.shortener.event.ClickRecorder;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The hot path. Literal routes ({@code /users}, {@code /health}, ...) are more specific than
 * {@code /{code}}, so Spring MVC keeps them ahead of it.
 */
@RestController
@Tag(name = "redirects")
class RedirectController {

    /** Referrer and user agent are stored up to this length; longer headers are cut. */
    static final int MAX_HEADER_LENGTH = 1024;

    private final LinkResolver links;
    private final ClickRecorder clicks;

    RedirectController(LinkResolver links, ClickRecorder clicks) {
        this.links = links;
        this.clicks = clicks;
    }

    @GetMapping("/{code}")
    @Operation(summary = "Follow a short link: 302 to its original URL, recording one click event")
    @ApiResponse(
            responseCode = "302",
            description = "Redirect to the original URL",
            headers = @Header(name = "Location", description = "The link's original_url"))
    @ApiResponse(
            responseCode = "404",
            description = "Unknown or inactive short code (no click is recorded)",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "503",
            description = "The link is not cached and the database is unavailable",
            content = @Content(mediaType = "application/problem+json"))
    void redirect(
            @Parameter(description = "Short code, 1 to 32 of [A-Za-z0-9_-]") @PathVariable String code,
            HttpServletRequest request,
            HttpServletResponse response) {
        if (!ShortCodes.isWellFormed(code)) {
            throw Problems.notFound("No link has the short code " + code);
        }
        CachedLink link = links.resolve(code);
        if (!link.active()) {
            throw Problems.notFound(
                    link.absent() ? "No link has the short code " + code : "The link " + code + " is inactive");
        }
        clicks.record(new Click(
                link.id(),
                link.userId(),
                code,
                link.originalUrl(),
                header(request, HttpHeaders.REFERER),
                header(request, HttpHeaders.USER_AGENT),
                LocalDateTime.now(ZoneOffset.UTC)));
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader(HttpHeaders.LOCATION, link.originalUrl());
    }

    @GetMapping("/urls/{code}/redirect")
    @Operation(summary = "Follow a short link (the same as GET /{code})")
    @ApiResponse(
            responseCode = "302",
            description = "Redirect to the original URL",
            headers = @Header(name = "Location", description = "The link's original_url"))
    @ApiResponse(
            responseCode = "404",
            description = "Unknown or inactive short code (no click is recorded)",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "503",
            description = "The link is not cached and the database is unavailable",
            content = @Content(mediaType = "application/problem+json"))
    void redirectByPath(
            @Parameter(description = "Short code, 1 to 32 of [A-Za-z0-9_-]") @PathVariable String code,
            HttpServletRequest request,
            HttpServletResponse response) {
        redirect(code, request, response);
    }

    private static @Nullable String header(HttpServletRequest request, String name) {
        String value = request.getHeader(name);
        return value == null || value.length() <= MAX_HEADER_LENGTH ? value : value.substring(0, MAX_HEADER_LENGTH);
    }
}
