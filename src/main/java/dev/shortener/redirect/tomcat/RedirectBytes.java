package dev.shortener.redirect.tomcat;

import dev.shortener.platform.SecurityHeaders;
import dev.shortener.redirect.Redirector;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.apache.catalina.connector.Response;
import org.apache.tomcat.util.http.FastHttpDateFormat;
import org.apache.tomcat.util.http.MimeHeaders;
import org.springframework.http.HttpHeaders;

/**
 * The answer {@link Redirector} gives through the servlet API, written into Tomcat's response as
 * bytes: a header name or value set as a string costs Tomcat a new charset encoder and two buffers
 * when it is written, a large share of what a redirect allocated (ADR 0003). The date's bytes are
 * made once a second; Tomcat writes the length (0) into the Content-Length header it finds.
 */
final class RedirectBytes {

    private static final byte[] LOCATION = ascii(HttpHeaders.LOCATION);
    private static final byte[] DATE = ascii(HttpHeaders.DATE);
    private static final byte[] CONTENT_LENGTH = ascii(HttpHeaders.CONTENT_LENGTH);
    private static final byte[] ZERO = ascii("0");
    /**
     * Tomcat recycles a header's bytes for later responses and writes into a buffer of this size or
     * more (a Content-Length), which would corrupt a shared value: longer values are copied.
     */
    private static final int TOMCAT_REUSED_BUFFER = 32;

    /** What Spring Security writes on the servlet path, as name and value bytes, so both paths answer alike. */
    private final byte[][] securityHeaders;

    private volatile HeaderValue date = new HeaderValue("", new byte[0]);

    RedirectBytes(SecurityHeaders securityHeaders) {
        this.securityHeaders = securityHeaders.all().entrySet().stream()
                .flatMap(header -> Stream.of(ascii(header.getKey()), ascii(header.getValue())))
                .toArray(byte[][]::new);
    }

    /** A 302 to {@code originalUrl}, with the date, no body and the security headers. */
    void write(String originalUrl, Response response) {
        response.setStatus(HttpServletResponse.SC_FOUND);
        MimeHeaders headers = response.getCoyoteResponse().getMimeHeaders();
        byte[] location = Redirector.location(originalUrl).getBytes(StandardCharsets.ISO_8859_1);
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

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private record HeaderValue(String text, byte[] bytes) {}
}
