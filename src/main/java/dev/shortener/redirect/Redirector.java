package dev.shortener.redirect;

import dev.shortener.event.Click;
import dev.shortener.event.ClickRecorder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * Answers a redirect to an active link: hands its click to the recorder, then 302. The fast path
 * ({@code redirect.tomcat}) records the same way and writes the same answer as bytes.
 */
@Component
public class Redirector {

    /** The two redirect routes, which the fast path (the valve of {@code redirect.tomcat}) answers too. */
    public static final String CODE_ROUTE = "/{code}";

    public static final String URLS_ROUTE = "/urls/{code}/redirect";

    /** The link the fast path already resolved for a request it passes on (so it is looked up once). */
    public static final String RESOLVED = Redirector.class.getName() + ".resolved";

    /** Referrer and user agent are stored up to this length; longer headers are cut. */
    static final int MAX_HEADER_LENGTH = 1024;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final ClickRecorder clicks;

    Redirector(ClickRecorder clicks) {
        this.clicks = clicks;
    }

    /** The answer through the servlet API (Spring MVC). */
    void redirect(String code, CachedLink link, HttpServletRequest request, HttpServletResponse response) {
        record(code, link, request);
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader(HttpHeaders.LOCATION, location(link.originalUrl()));
    }

    /** Hands the click of a redirect to {@code link} to the recorder (either path calls it first). */
    public void record(String code, CachedLink link, HttpServletRequest request) {
        clicks.record(new Click(
                link.id(),
                link.userId(),
                code,
                link.originalUrl(),
                header(request, HttpHeaders.REFERER),
                header(request, HttpHeaders.USER_AGENT),
                System.currentTimeMillis()));
    }

    /**
     * The target as a Location header may carry it: HTTP headers are ASCII, so characters beyond it
     * (an internationalized path or host, which links may have) are sent percent-encoded as UTF-8,
     * the form browsers send them in. Tomcat would otherwise drop the header and answer a 302
     * without a target.
     */
    public static String location(String url) {
        int first = 0;
        while (first < url.length() && url.charAt(first) < 0x80) {
            first++;
        }
        if (first == url.length()) {
            return url;
        }
        StringBuilder ascii = new StringBuilder(url.length() + 32).append(url, 0, first);
        for (byte b : url.substring(first).getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0) {
                ascii.append((char) b);
            } else {
                ascii.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        return ascii.toString();
    }

    private static @Nullable String header(HttpServletRequest request, String name) {
        String value = request.getHeader(name);
        return value == null || value.length() <= MAX_HEADER_LENGTH ? value : value.substring(0, MAX_HEADER_LENGTH);
    }
}
