package dev.shortener.platform;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The security headers of every answer. Spring Security writes them on the servlet path and the
 * redirect valve writes the same ones, so both redirect paths answer alike. {@code no-store} also
 * keeps browsers from caching a redirect: every click is counted and a new target applies at once.
 */
public final class SecurityHeaders {

    public static final Map<String, String> ALL = ordered();

    private SecurityHeaders() {}

    private static Map<String, String> ordered() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Cache-Control", "no-store");
        return java.util.Collections.unmodifiableMap(headers);
    }
}
