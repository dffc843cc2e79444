package dev.shortener.redirect.tomcat;

import dev.shortener.link.ShortCode;
import dev.shortener.platform.observability.Traces;
import dev.shortener.redirect.CachedLink;
import dev.shortener.redirect.LinkResolver;
import dev.shortener.redirect.Redirector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.opentelemetry.context.Scope;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.tomcat.util.buf.ByteChunk;
import org.apache.tomcat.util.buf.MessageBytes;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The fast path (ADR 0003): answers {@code GET /{code}} and {@code GET /urls/{code}/redirect} for
 * active links as the first valve of Tomcat's engine, before the forwarded-header valve, the
 * servlet filter chain and Spring MVC. Everything else, including unknown, inactive and taken-down
 * codes (whose 404 or 410 problem comes from the redirect controller), lookups that fail
 * (Spring MVC tries again and answers the problem) and any first path segment that Spring MVC maps
 * literally ({@code /users}, {@code /metrics}, ...), goes on down the pipeline untouched. It traces
 * the share {@code TRACING_REDIRECT_SAMPLE} of redirect paths, and what it passes on only then.
 */
public class RedirectValve extends ValveBase implements SmartInitializingSingleton {

    private static final String URLS_PREFIX = "/urls/";
    private static final String REDIRECT_SUFFIX = "/redirect";

    private final LinkResolver links;
    private final Redirector redirector;
    private final RedirectBytes bytes;
    private final ObjectProvider<RequestMappingInfoHandlerMapping> mappings;
    private final Traces traces;
    private final Timer codeRoute;
    private final Timer urlsRoute;
    private volatile @Nullable Set<String> literalRoutes;

    RedirectValve(
            LinkResolver links,
            Redirector redirector,
            RedirectBytes bytes,
            ObjectProvider<RequestMappingInfoHandlerMapping> mappings,
            MeterRegistry meters,
            Traces traces) {
        super(true);
        this.links = links;
        this.redirector = redirector;
        this.bytes = bytes;
        this.mappings = mappings;
        this.traces = traces;
        this.codeRoute = redirects(meters, Redirector.CODE_ROUTE);
        this.urlsRoute = redirects(meters, Redirector.URLS_ROUTE);
    }

    /**
     * The redirects this valve answers, in the series Spring MVC records for the same route and
     * status, so that request rates, latency dashboards and alerts include them.
     */
    private static Timer redirects(MeterRegistry meters, String route) {
        return Timer.builder("http.server.requests")
                .tags("error", "none", "exception", "none", "method", "GET")
                .tags("outcome", "REDIRECTION", "status", "302", "uri", route)
                .register(meters);
    }

    /** Collects the first path segments that some controller or endpoint maps literally. */
    @Override
    public void afterSingletonsInstantiated() {
        Set<String> routes = new HashSet<>();
        mappings.orderedStream()
                .forEach(mapping -> mapping.getHandlerMethods().keySet().stream()
                        .filter(info -> info.getPathPatternsCondition() != null)
                        .flatMap(info -> info.getPathPatternsCondition().getPatterns().stream())
                        .map(PathPattern::getPatternString)
                        .forEach(pattern -> {
                            int end = pattern.indexOf('/', 1);
                            String first = end < 0 ? pattern.substring(1) : pattern.substring(1, end);
                            if (!first.isEmpty() && first.indexOf('{') < 0 && first.indexOf('*') < 0) {
                                routes.add(first);
                            }
                        }));
        literalRoutes = Set.copyOf(routes);
    }

    /** The literal first segments collected at startup (empty before). */
    public Set<String> literalRoutes() {
        Set<String> routes = literalRoutes;
        return routes == null ? Set.of() : routes;
    }

    @Override
    @SuppressWarnings("try") // a scope makes the span current while the redirect is answered
    public void invoke(Request request, Response response) throws IOException, ServletException {
        long start = System.nanoTime();
        String code = "GET".equals(request.getMethod()) ? codeOf(rawUri(request)) : null;
        if (code == null) {
            getNext().invoke(request, response);
            return;
        }
        // GET /{code} rather than GET /urls/{code}/redirect
        boolean bare = request.getCoyoteRequest().requestURI().getLength() == code.length() + 1;
        Observation traced = traces.redirect(bare ? Redirector.CODE_ROUTE : Redirector.URLS_ROUTE);
        if (traced == null) {
            answer(code, bare, request, response, start, false);
            return;
        }
        try (Observation.Scope ignored = traced.openScope()) {
            answer(code, bare, request, response, start, true);
        } finally {
            traced.lowCardinalityKeyValue("http.response.status_code", Integer.toString(response.getStatus()));
            traced.stop();
        }
    }

    private void answer(String code, boolean bare, Request request, Response response, long start, boolean traced)
            throws IOException, ServletException {
        CachedLink link;
        try {
            link = links.resolve(code);
        } catch (RuntimeException e) {
            // Spring MVC tries again and answers the failure as a problem (503 for the database)
            passOn(request, response, traced);
            return;
        }
        if (link.active()) {
            redirector.record(code, link, request);
            bytes.write(link.originalUrl(), response);
            (bare ? codeRoute : urlsRoute).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return;
        }
        request.setAttribute(Redirector.RESOLVED, link);
        passOn(request, response, traced);
    }

    /** Hands a redirect path to Spring MVC, which traces it only when this valve does. */
    @SuppressWarnings("try")
    private void passOn(Request request, Response response, boolean traced) throws IOException, ServletException {
        if (traced) {
            getNext().invoke(request, response);
            return;
        }
        try (Scope ignored = traces.unsampled()) {
            getNext().invoke(request, response);
        }
    }

    /**
     * The request line's path, one byte a character: a short code is ASCII, so it needs neither
     * percent- nor UTF-8 decoding (a path that would is no redirect path and fails {@link
     * ShortCode#isWellFormed}). Cheaper than {@code getRequestURI()}, whose UTF-8 decoder is made
     * anew in every request's (virtual) thread.
     */
    private static @Nullable String rawUri(Request request) {
        MessageBytes uri = request.getCoyoteRequest().requestURI();
        if (uri.getType() != MessageBytes.T_BYTES) {
            return null;
        }
        ByteChunk bytes = uri.getByteChunk();
        return new String(bytes.getBuffer(), bytes.getStart(), bytes.getLength(), StandardCharsets.ISO_8859_1);
    }

    /** The well-formed code of a redirect path, or null. */
    private @Nullable String codeOf(@Nullable String uri) {
        Set<String> routes = literalRoutes;
        if (routes == null || uri == null || uri.length() < 2) {
            return null;
        }
        String code;
        int slash = uri.indexOf('/', 1);
        if (slash < 0) {
            code = uri.substring(1);
            if (routes.contains(code)) {
                return null;
            }
        } else if (uri.startsWith(URLS_PREFIX)
                && uri.endsWith(REDIRECT_SUFFIX)
                && uri.indexOf('/', URLS_PREFIX.length()) == uri.length() - REDIRECT_SUFFIX.length()) {
            code = uri.substring(URLS_PREFIX.length(), uri.length() - REDIRECT_SUFFIX.length());
        } else {
            return null;
        }
        return ShortCode.isWellFormed(code) ? code : null;
    }
}
