package dev.shortener.identity;

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
import java.net.URI;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "api-keys")
class ApiKeyController {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyController.class);

    private final ApiKeys keys;
    private final KeyIntrospector introspector;
    private final Sessions sessions;

    ApiKeyController(ApiKeys keys, KeyIntrospector introspector, Sessions sessions) {
        this.keys = keys;
        this.introspector = introspector;
        this.sessions = sessions;
    }

    @PostMapping("/api-keys")
    @Operation(
            summary = "Create an API key for the caller's user (admins: for any user); its secret is shown only in"
                    + " this answer")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = NewApiKey.class)))
    @ApiResponse(
            responseCode = "201",
            description = "Created",
            content = @Content(schema = @Schema(implementation = ApiKey.Issued.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(
            responseCode = "403",
            description = "A key for another user, or with scopes the caller lacks, asked by a non-admin; or a"
                    + " session whose password or passkey sign-in is older than AUTH_FRESH_SIGN_IN")
    @ApiResponse(responseCode = "404", description = "No such user")
    @ApiResponse(responseCode = "422", description = "Invalid fields (name, scopes, expires_at, user_id)")
    ResponseEntity<ApiKey.Issued> create(@RequestBody NewApiKey input, HttpServletRequest request) {
        Caller caller = Caller.current();
        Long userId = input.userId() != null ? input.userId() : caller.userId();
        if (!caller.admin()) {
            if (!Objects.equals(userId, caller.userId())) {
                throw forbidden("Only an admin may create keys for another user");
            }
            if (!caller.scopes().containsAll(input.scopes())) {
                throw forbidden("A key cannot grant scopes its creator lacks: " + caller.scopes());
            }
        }
        if (userId == null && !input.scopes().contains(Scope.ADMIN)) {
            throw Problems.invalidFields(Map.of("user_id", "is required for a key without the admin scope"));
        }
        if (!sessions.signedInRecently(caller, request)) {
            throw forbidden("Sign in again to create a key: your sign-in is older than AUTH_FRESH_SIGN_IN allows");
        }
        LocalDateTime expiresAt = input.expiresAtUtc();
        Long creator = caller.keyId();
        if (!caller.admin() && creator != null) {
            // a key made with a key lives no longer than it: a stolen short-lived key cannot mint a lasting one
            LocalDateTime limit = keys.expiry(creator);
            if (limit != null && (expiresAt == null || expiresAt.isAfter(limit))) {
                expiresAt = limit;
            }
        }
        ApiKey.Issued key;
        try {
            key = keys.issue(userId, input.name(), input.scopes(), expiresAt);
        } catch (DataIntegrityViolationException e) {
            throw Problems.notFound("User " + userId + " does not exist");
        }
        log.info(
                "API key {} created for user {} with scopes {}, expiring {}, by {}",
                key.id(),
                userId,
                key.scopes(),
                expiresAt,
                caller.actor());
        return ResponseEntity.created(URI.create("/api-keys/" + key.id())).body(key);
    }

    @GetMapping("/api-keys")
    @Operation(summary = "List the caller's unrevoked keys (admins: everyone's, or one user's); never their secrets")
    @ApiResponse(responseCode = "200", description = "A page of keys; X-Total-Count and Link headers")
    @ApiResponse(responseCode = "400", description = "Bad filter or paging parameters")
    ResponseEntity<List<ApiKey>> list(
            @Parameter(description = "Admins only: the keys of this user")
                    @RequestParam(name = "user_id", required = false)
                    @Nullable
                    Long userId,
            @Valid @ParameterObject PageRequest paging) {
        Caller caller = Caller.current();
        Long owner = caller.admin() ? userId : caller.listableOwner();
        return paging.respond(keys.page(owner, paging.offset(), paging.perPage()), keys.count(owner));
    }

    @DeleteMapping("/api-keys/{id}")
    @Operation(summary = "Revoke a key; every instance refuses it within a second")
    @ApiResponse(responseCode = "204", description = "Revoked")
    @ApiResponse(responseCode = "404", description = "No such key of the caller")
    ResponseEntity<Void> revoke(@PathVariable long id) {
        Caller caller = Caller.current();
        if (!keys.revoke(id, caller.listableOwner())) {
            throw Problems.notFound("API key " + id + " does not exist");
        }
        log.info("API key {} revoked by {}", id, caller.actor());
        introspector.forget();
        return ResponseEntity.noContent().build();
    }

    private static ErrorResponseException forbidden(String detail) {
        return Problems.problem(HttpStatus.FORBIDDEN, detail);
    }
}
