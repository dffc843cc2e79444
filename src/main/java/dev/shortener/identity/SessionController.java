package dev.shortener.identity;

import dev.shortener.platform.JsonRequest;
import dev.shortener.platform.Metered;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Browser sessions: sign in with an API key, get the CSRF token that a session's changes carry,
 * sign out. The session cookie is HttpOnly and SameSite=Lax; a change without the token is 403.
 */
@RestController
@Tag(name = "session")
class SessionController {

    /** Who the session (or the key) acts as, and the token its changes must send. */
    @Schema(name = "Session")
    record SessionInfo(
            String actor,
            @Nullable Long userId,
            List<Scope> scopes,

            @Schema(description = "Send it as X-CSRF-TOKEN with every POST, PUT and DELETE of this session") @Nullable
            String csrfToken) {

        static SessionInfo of(Caller caller, HttpServletRequest request) {
            CsrfToken token = request.getSession(false) == null
                    ? null
                    : (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            return new SessionInfo(
                    caller.actor(),
                    caller.userId(),
                    caller.scopes().stream().sorted().toList(),
                    token == null ? null : token.getToken());
        }
    }

    private final KeyIntrospector keys;
    private final Sessions sessions;

    SessionController(KeyIntrospector keys, Sessions sessions) {
        this.keys = keys;
        this.sessions = sessions;
    }

    /** The key to sign in with. */
    @JsonRequest
    record SignIn(@NotNull @NotBlank @Size(max = 200) String apiKey) {}

    @PostMapping("/auth/session")
    @Operation(summary = "Sign in: exchange an API key for a browser session (cookie) and its CSRF token")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(example = "{\"api_key\":\"sk_...\"}", type = "object")))
    @ApiResponse(
            responseCode = "201",
            description = "Signed in; the session cookie is set",
            content = @Content(schema = @Schema(implementation = SessionInfo.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object, or not sent as application/json")
    @ApiResponse(responseCode = "401", description = "The API key is unknown, revoked or expired")
    @ApiResponse(responseCode = "403", description = "Sent by a page of another site")
    @ApiResponse(responseCode = "422", description = "No api_key")
    @ApiResponse(responseCode = "429", description = "Too many sign-in attempts from this address")
    @Metered(Metered.Budget.SIGN_IN)
    ResponseEntity<SessionInfo> signIn(
            @RequestBody SignIn signIn, HttpServletRequest request, HttpServletResponse response) {
        // A form on another site could post a key of its owner's choosing (login CSRF): a browser
        // sends application/json only from a page of this site, and says where a request came from.
        if ("cross-site".equalsIgnoreCase(request.getHeader("Sec-Fetch-Site"))) {
            throw Problems.problem(HttpStatus.FORBIDDEN, "Signing in from another site is refused");
        }
        String type = request.getContentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw Problems.badRequest("Sign in with a JSON body (Content-Type: application/json)");
        }
        Caller caller;
        try {
            caller = keys.introspect(signIn.apiKey()).inSession();
        } catch (AuthenticationServiceException e) {
            throw Problems.unavailable("Credentials cannot be checked now; try again shortly");
        } catch (OAuth2IntrospectionException e) {
            ErrorResponseException refused =
                    Problems.problem(HttpStatus.UNAUTHORIZED, "The API key is unknown, revoked or expired");
            refused.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"shortener\"");
            throw refused;
        }
        sessions.start(caller, request, response);
        return ResponseEntity.status(HttpStatus.CREATED).body(SessionInfo.of(caller, request));
    }

    @GetMapping("/auth/session")
    @Operation(summary = "Who the caller is; for a session, also its CSRF token")
    @ApiResponse(
            responseCode = "200",
            description = "The caller",
            content = @Content(schema = @Schema(implementation = SessionInfo.class)))
    @ApiResponse(responseCode = "401", description = "No credential")
    SessionInfo current(HttpServletRequest request) {
        return SessionInfo.of(Caller.current(), request);
    }

    @DeleteMapping("/auth/session")
    @Operation(summary = "Sign out: end the session (needs its CSRF token)")
    @ApiResponse(responseCode = "204", description = "Signed out")
    @ApiResponse(responseCode = "403", description = "No or a wrong CSRF token")
    ResponseEntity<Void> signOut(HttpServletRequest request) {
        sessions.end(request);
        return ResponseEntity.noContent().build();
    }
}
