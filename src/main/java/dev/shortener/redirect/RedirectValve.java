package dev.shortener.redirect;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.dao.DataAccessException;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The fast path (ADR 0003): answers {@code GET /{code}} and {@code GET /urls/{code}/redirect} for
 * active links before Spring MVC and the other filters run. Everything else, including unknown and
 * inactive codes (whose 404 problem comes from {@link RedirectController}) and any first path
 * segment that Spring MVC maps literally ({@code /users}, {@code /metrics}, ...), goes down the
 * chain untouched.
 */
class RedirectFilter implements Filter, SmartInitializingSingleton {

    /** The link this filter already resolved for a request it passes on (so it is looked up once). */
    static final String RESOLVED = RedirectFilter.class.getName() + ".resolved";

    private static final String URLS_PREFIX = "/urls/";
    private static final String REDIRECT_SUFFIX = "/redirect";

    private final LinkResolver links;
    private final Redirector redirector;
    private final ObjectProvider<RequestMappingInfoHandlerMapping> mappings;
    private volatile @Nullable Set<String> literalRoutes;

    RedirectFilter(
            LinkResolver links, Redirector redirector, ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
        this.links = links;
        this.redirector = redirector;
        this.mappings = mappings;
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

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        String code = "GET".equals(request.getMethod()) ? codeOf(request.getRequestURI()) : null;
        if (code != null) {
            CachedLink link;
            try {
                link = links.resolve(code);
            } catch (DataAccessException e) {
                // Spring MVC tries again and answers the failure as a problem (503)
                chain.doFilter(req, res);
                return;
            }
            if (link.active()) {
                redirector.redirect(code, link, request, (HttpServletResponse) res);
                return;
            }
            request.setAttribute(RESOLVED, link);
        }
        chain.doFilter(req, res);
    }

    /** The well-formed code of a redirect path, or null. The raw URI is used: a code needs no decoding. */
    private @Nullable String codeOf(String uri) {
        Set<String> routes = literalRoutes;
        if (routes == null || uri.length() < 2) {
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
        return ShortCodes.isWellFormed(code) ? code : null;
    }
}
