package dev.shortener.identity;

import dev.shortener.platform.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;
import tools.jackson.databind.ObjectMapper;

/**
 * 401 and 403 as problem details, like every other error. Spring Security's bearer-token
 * handlers set the status and the RFC 6750 {@code WWW-Authenticate} challenge; this adds the body.
 */
final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
    private final BearerTokenAccessDeniedHandler denial = new BearerTokenAccessDeniedHandler();
    private final ObjectMapper json;

    SecurityProblems(ObjectMapper json) {
        this.json = json;
        challenge.setRealmName("shortener");
        denial.setRealmName("shortener");
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (e instanceof AuthenticationServiceException) {
            write(response, HttpStatus.SERVICE_UNAVAILABLE, "Credentials cannot be checked now; try again shortly");
            return;
        }
        challenge.commence(request, response, e);
        boolean presented = request.getHeader(HttpHeaders.AUTHORIZATION) != null;
        write(
                response,
                HttpStatus.UNAUTHORIZED,
                presented
                        ? "The API key is unknown, revoked or expired"
                        : "This route needs an API key (Authorization: Bearer <key>) or a signed-in session");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        if (e instanceof CsrfException) {
            response.setStatus(HttpStatus.FORBIDDEN.value());
            write(
                    response,
                    HttpStatus.FORBIDDEN,
                    "A session's change needs its CSRF token in the X-CSRF-TOKEN header (GET /auth/session gives it)");
            return;
        }
        denial.handle(request, response, e);
        write(response, HttpStatus.FORBIDDEN, "This credential's scopes do not allow this request");
    }

    private void write(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
        Problems.write(response, json, status, detail);
    }
}
