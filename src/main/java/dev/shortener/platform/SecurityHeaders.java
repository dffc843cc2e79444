package dev.shortener.platform;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The security headers of every answer. Spring Security writes them on the servlet path and the
 * redirect valve writes the same ones, so both redirect paths answer alike (and the Kubernetes
 * ingress path gets them too). {@code no-store} also keeps browsers from caching a redirect: every
 * click is counted and a new target applies at once. HSTS is sent when {@code HSTS_MAX_AGE} is set,
 * which a deployment behind TLS does; browsers ignore it on plain HTTP.
 */
@Component
public final class SecurityHeaders {

    public static final String CONTENT_SECURITY_POLICY = "Content-Security-Policy";

    /** Pages that run scripts of their own (Swagger UI) set no policy of ours. */
    public static final Set<String> OWN_POLICY_PATHS = Set.of("/docs", "/swagger-ui");

    /**
     * The web application's pages: scripts, styles and images from this origin only, never inline
     * (htmx is told not to inject its indicator styles), forms posting back to this origin only.
     */
    public static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none';"
            + " frame-ancestors 'none'";

    private final Map<String, String> all;

    public SecurityHeaders(@Value("${shortener.http.hsts-max-age:0s}") Duration hstsMaxAge) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Cache-Control", "no-store");
        headers.put("Referrer-Policy", "strict-origin-when-cross-origin");
        // Nothing may load from a JSON answer or a redirect; X-Frame-Options already forbids framing.
        headers.put(CONTENT_SECURITY_POLICY, "default-src 'none'");
        if (hstsMaxAge.isPositive()) {
            headers.put("Strict-Transport-Security", "max-age=" + hstsMaxAge.toSeconds() + "; includeSubDomains");
        }
        this.all = Collections.unmodifiableMap(headers);
    }

    /** Whether {@code path} is a page of the web application: the home page or anything under {@code /-/}. */
    public static boolean pagePath(String path) {
        return path.equals("/") || path.startsWith("/-/");
    }

    /** Name to value, in the order they are written. */
    public Map<String, String> all() {
        return all;
    }
}
