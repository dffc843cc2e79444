package dev.shortener.redirect;

import dev.shortener.event.Click;
import dev.shortener.event.ClickRecorder;
import dev.shortener.platform.SecurityHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.apache.catalina.connector.Response;
import org.apache.tomcat.util.http.FastHttpDateFormat;
import org.apache.tomcat.util.http.MimeHeaders;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/** Answers a redirect to an active link: hands its click to the recorder, then 302. */
@Component
class Redirector {

    /** Referrer and user agent are stored up to this length; longer headers are cut. */
    static final int MAX_HEADER_LENGTH = 1024;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final byte[] LOCATION = ascii(HttpHeaders.LOCATION);
    private static final byte[] DATE = ascii(HttpHeaders.DATE);
    private static final byte[] CONTENT_LENGTH = ascii(HttpHeaders.CONTENT_LENGTH);
    private static final byte[] ZERO = ascii("0");
    /**
     * Tomcat recycles a header's bytes for later responses and writes into a buffer of this size or
     * more (a Content-Length), which would corrupt a shared value: longer values are copied.
     */
    private static final int TOMCAT_REUSED_BUFFER = 32;

    private final ClickRecorder clicks;
    /** What Spring Security writes on the servlet path, as name and value bytes, so both paths answer alike. */
    private final byte[][] securityHeaders;

    private volatile HeaderValue date = new HeaderValue("", new byte[0]);

    Redirector(ClickRecorder clicks, SecurityHeaders securityHeaders) {
        this.clicks = clicks;
        this.securityHeaders = securityHeaders.all().entrySet().stream()
                .flatMap(header -> Stream.of(ascii(header.getKey()), ascii(header.getValue())))
                .toArray(byte[][]::new);
    }

    /** The answer through the servlet API (Spring MVC). */
    void redirect(String code, CachedLink link, HttpServletRequest request, HttpServletResponse response) {
        record(code, link, request);
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader(HttpHeaders.LOCATION, location(link.originalUrl()));
    }

    /**
     * The same answer written into Tomcat's response as bytes (the fast path): a header name or
     * value set as a string costs Tomcat a new charset encoder and two buffers when it is written,
     * a large share of what a redirect allocated (ADR 0003). The date's bytes are made once a
     * second; Tomcat writes the length (0) into the Content-Length header it finds.
     */
    void writeRedirect(String code, CachedLink link, HttpServletRequest request, Response response) {
        record(code, link, request);
        response.setStatus(HttpServletResponse.SC_FOUND);
        MimeHeaders headers = response.getCoyoteResponse().getMimeHeaders();
        byte[] location = location(link.originalUrl()).getBytes(StandardCharsets.ISO_8859_1);
        headers.addValue(LOCATION, 0, LOCATION.length).setBytes(location, 0, location.length);
        byte[] now = dateBytes();
        headers.addValue(DATE, 0, DATE.length).setBytes(now, 0, now.length);
        headers.addValue(CONTENT_LENGTH, 0, CONTENT_LENGTH.length).setBytes(ZERO, 0, ZERO.length);
        for (int i = 0; i < securityHeaders.length; i += 2) {
            byte[] name = securityHeaders[i];
            byte[] value = securityHeaders[i + 1];
            if (value.length >= TOMCAT_REUSED_BUFFER) {
                value = value.clone();
            }
            headers.addValue(name, 0, name.length).setBytes(value, 0, value.length);
        }
    }

    private void record(String code, CachedLink link, HttpServletRequest request) {
        clicks.record(new Click(
                link.id(),
                link.userId(),
                code,
                link.originalUrl(),
                header(request, HttpHeaders.REFERER),
                header(request, HttpHeaders.USER_AGENT),
                System.currentTimeMillis()));
    }

    private byte[] dateBytes() {
        // Tomcat keeps one string per second, so a new string means a new second.
        String now = FastHttpDateFormat.getCurrentDate();
        HeaderValue current = date;
        if (!current.text().equals(now)) {
            current = new HeaderValue(now, now.getBytes(StandardCharsets.ISO_8859_1));
            date = current;
        }
        return current.bytes();
    }

    /**
     * The target as a Location header may carry it: HTTP headers are ASCII, so characters beyond it
     * (an internationalized path or host, which links may have) are sent percent-encoded as UTF-8,
     * the form browsers send them in. Tomcat would otherwise drop the header and answer a 302
     * without a target.
     */
    static String location(String url) {
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

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static @Nullable String header(HttpServletRequest request, String name) {
        String value = request.getHeader(name);
        return value == null || value.length() <= MAX_HEADER_LENGTH ? value : value.substring(0, MAX_HEADER_LENGTH);
    }

    private record HeaderValue(String text, byte[] bytes) {}
}
