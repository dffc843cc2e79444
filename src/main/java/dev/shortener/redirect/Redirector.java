package dev.shortener.redirect;

import dev.shortener.event.Click;
import dev.shortener.event.ClickRecorder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/** Answers a redirect to an active link: hands its click to the recorder, then 302. */
@Component
class Redirector {

    /** Referrer and user agent are stored up to this length; longer headers are cut. */
    static final int MAX_HEADER_LENGTH = 1024;

    private final ClickRecorder clicks;

    Redirector(ClickRecorder clicks) {
        this.clicks = clicks;
    }

    void redirect(String code, CachedLink link, HttpServletRequest request, HttpServletResponse response) {
        clicks.record(new Click(
                link.id(),
                link.userId(),
                code,
                link.originalUrl(),
                header(request, HttpHeaders.REFERER),
                header(request, HttpHeaders.USER_AGENT),
                LocalDateTime.now(ZoneOffset.UTC)));
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader(HttpHeaders.LOCATION, link.originalUrl());
    }

    private static @Nullable String header(HttpServletRequest request, String name) {
        String value = request.getHeader(name);
        return value == null || value.length() <= MAX_HEADER_LENGTH ? value : value.substring(0, MAX_HEADER_LENGTH);
    }
}
