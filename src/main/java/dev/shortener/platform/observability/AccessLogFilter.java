package dev.shortener.platform.observability;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id (taken from {@code X-Request-Id} when sane, returned in the response
 * and put in the logging MDC as {@code request_id}), collects its SQL statistics and writes one
 * access line when it ends: method, route, status, duration_ms, db_statements, db_time_ms.
 *
 * <p>A successful redirect ({@code GET} answered 302) and successful probes and scrapes log at
 * DEBUG: they are the bulk of the traffic, and nothing is built for a disabled level.
 */
@Component
// inside Spring Boot's HTTP observation filter (HIGHEST_PRECEDENCE + 1), so that the access line
// carries the request's trace id
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class AccessLogFilter extends OncePerRequestFilter {

    private static final Logger access = LoggerFactory.getLogger("dev.shortener.access");

    private final SqlMonitor sql;
    private final Set<String> quietRoutes;

    AccessLogFilter(SqlMonitor sql, ObservabilitySettings settings) {
        this.sql = sql;
        this.quietRoutes = Set.copyOf(settings.quietRoutes());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long started = System.nanoTime();
        String id = RequestId.acceptOrGenerate(request.getHeader(RequestId.HEADER));
        response.setHeader(RequestId.HEADER, id);
        MDC.put(RequestId.MDC_KEY, id);
        RequestStats stats = RequestStats.begin();
        boolean failed = true;
        try {
            chain.doFilter(request, response);
            failed = false;
        } finally {
            RequestStats.end();
            if (!failed && request.isAsyncStarted()) {
                // supplied here: the context refuses getRequest() once complete() has been called
                request.getAsyncContext().addListener(new Completion(id, stats, started), request, response);
            } else {
                finish(request, failed ? 500 : response.getStatus(), stats, started);
            }
            MDC.remove(RequestId.MDC_KEY);
        }
    }

    private void finish(HttpServletRequest request, int status, RequestStats stats, long started) {
        long nanos = System.nanoTime() - started;
        String method = request.getMethod();
        String route = Routes.of(request, status);
        sql.requestFinished(stats, method, route);
        Level level = isQuiet(method, route, status) ? Level.DEBUG : Level.INFO;
        if (!access.isEnabledForLevel(level)) {
            return;
        }
        double durationMs = SqlMonitor.millis(nanos);
        access.atLevel(level)
                .addKeyValue("method", method)
                .addKeyValue("route", route)
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", durationMs)
                .addKeyValue("db_statements", stats.statements())
                .addKeyValue("db_time_ms", SqlMonitor.millis(stats.sqlNanos()))
                .log("{} {} {} {} ms", method, route, status, durationMs);
    }

    private boolean isQuiet(String method, String route, int status) {
        return status < 400 && ((status == 302 && "GET".equals(method)) || quietRoutes.contains(route));
    }

    /** Writes the access line of an asynchronous request (e.g. a server-sent event stream) when it ends. */
    private final class Completion implements AsyncListener {

        private final String id;
        private final RequestStats stats;
        private final long started;

        Completion(String id, RequestStats stats, long started) {
            this.id = id;
            this.stats = stats;
            this.started = started;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            MDC.put(RequestId.MDC_KEY, id);
            try {
                HttpServletRequest request = (HttpServletRequest) event.getSuppliedRequest();
                HttpServletResponse response = (HttpServletResponse) event.getSuppliedResponse();
                finish(request, response.getStatus(), stats, started);
            } finally {
                MDC.remove(RequestId.MDC_KEY);
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {}

        @Override
        public void onError(AsyncEvent event) {}

        @Override
        public void onStartAsync(AsyncEvent event) {}
    }
}
