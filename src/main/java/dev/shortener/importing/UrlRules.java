package dev.shortener.importing;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The contract's rules for a link, as the importer checks them: an absolute http(s) URL with a
 * host of at most 2048 characters, and a short code of 3–32 of {@code [A-Za-z0-9_-]} that does not
 * shadow a route.
 */
final class UrlRules {

    static final int MAX_URL_LENGTH = 2048;

    private static final Pattern SHORT_CODE = Pattern.compile("[A-Za-z0-9_-]{3,32}");
    private static final Set<String> ROUTES = Set.of(
            "health", "users", "urls", "events", "docs", "metrics", "imports", "error", "swagger-ui", "actuator");

    private UrlRules() {}

    /** Why the text is not an acceptable original URL, or null when it is. */
    static @Nullable String originalUrlProblem(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            return "must be at most " + MAX_URL_LENGTH + " characters";
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            boolean web = scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
            if (web && uri.getHost() != null && !uri.getHost().isEmpty()) {
                return null;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        return "must be an absolute http or https URL with a host";
    }

    /** Why the text is not an acceptable short code, or null when it is. */
    static @Nullable String shortCodeProblem(String code) {
        if (!SHORT_CODE.matcher(code).matches()) {
            return "must be 3 to 32 characters of A-Z, a-z, 0-9, _ and -";
        }
        if (ROUTES.contains(code.toLowerCase(Locale.ROOT))) {
            return "must not be the name of a route";
        }
        return null;
    }
}
