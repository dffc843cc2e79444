package dev.shortener.redirect;

import dev.shortener.abuse.RateLimits;
import dev.shortener.link.ShortCode;
import dev.shortener.platform.ErrorPage;
import dev.shortener.platform.Metered;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The redirect endpoints as Spring MVC serves them: with the fast path on (the valve of {@code redirect.tomcat})
 * only unknown, inactive, taken-down and malformed codes get here, for their 404 or 410 problem,
 * and lookups that failed in the valve, to be tried again. Literal routes ({@code /users}, {@code
 * /health}, ...) are more specific than {@code /{code}}, so Spring MVC keeps them ahead of it.
 */
@RestController
@Tag(name = "redirects")
@Metered(Metered.Budget.NONE) // a known code is never limited; unknown ones draw on their own budget
class RedirectController {

    private final LinkResolver links;
    private final Redirector redirector;
    private final RateLimits limits;

    RedirectController(LinkResolver links, Redirector redirector, RateLimits limits) {
        this.links = links;
        this.redirector = redirector;
        this.limits = limits;
    }

    @GetMapping({Redirector.CODE_ROUTE, Redirector.URLS_ROUTE})
    @Operation(summary = "Follow a short link: 302 to its original URL, recording one click event")
    @ApiResponse(
            responseCode = "302",
            description = "Redirect to the original URL",
            headers = @Header(name = "Location", description = "The link's original_url"))
    @ApiResponse(responseCode = "404", description = "Unknown or inactive short code (no click is recorded)")
    @ApiResponse(responseCode = "410", description = "The link was taken down for abuse")
    @ApiResponse(responseCode = "429", description = "Too many lookups of codes that do not exist (a scan)")
    @ApiResponse(responseCode = "503", description = "The link is not cached and the database is unavailable")
    void redirect(
            @Parameter(description = "Short code, 1 to 32 of [A-Za-z0-9_-]") @PathVariable String code,
            HttpServletRequest request,
            HttpServletResponse response) {
        CachedLink link = request.getAttribute(Redirector.RESOLVED) instanceof CachedLink resolved
                ? resolved
                : ShortCode.isWellFormed(code) ? links.resolve(code) : CachedLink.ABSENT;
        if (link.absent()) {
            limits.unknownCode(request);
        }
        if (!link.active()) {
            HttpStatus status = link.blocked() ? HttpStatus.GONE : HttpStatus.NOT_FOUND;
            String detail = link.blocked()
                    ? "The link " + code + " was taken down for abuse"
                    : link.absent() ? "No link has the short code " + code : "The link " + code + " is inactive";
            if (ErrorPage.wanted(request)) {
                ErrorPage.write(
                        response,
                        status,
                        status == HttpStatus.GONE ? "This link was taken down" : "This link does not exist",
                        detail);
                return;
            }
            throw Problems.problem(status, detail);
        }
        redirector.redirect(code, link, request, response);
    }
}
