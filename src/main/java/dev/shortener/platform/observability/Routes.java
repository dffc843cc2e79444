package dev.shortener.platform.observability;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.HandlerMapping;

/**
 * The route of a request as used in metric tags and access lines: the matched pattern, never the
 * raw path, so that the set of values stays small whatever clients send.
 */
final class Routes {

    static final String NOT_FOUND = "NOT_FOUND";
    static final String REDIRECTION = "REDIRECTION";
    static final String UNKNOWN = "UNKNOWN";

    private Routes() {}

    static String of(HttpServletRequest request, int status) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        return collapse(pattern instanceof String s ? s : null, status);
    }

    /**
     * The pattern itself, or a fixed value when nothing specific matched: the catch-all resource
     * pattern {@code /**} and the error page stand for "no route".
     */
    static String collapse(@Nullable String pattern, int status) {
        if (pattern != null && !"/**".equals(pattern) && !"/error".equals(pattern)) {
            return pattern.isEmpty() ? "/" : pattern;
        }
        if (status == 404) {
            return NOT_FOUND;
        }
        if (status >= 300 && status < 400) {
            return REDIRECTION;
        }
        return UNKNOWN;
    }
}
