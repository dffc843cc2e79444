package dev.shortener.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * The anonymous caller where the mode lets it act: in {@code open} mode everyone, and with
 * {@code AUTH_MODE} unset the clients on this machine (the address after the trusted-proxy
 * rules) that name this machine and do not come from another web site. Elsewhere an anonymous
 * request holds no right and a protected route answers 401.
 */
final class OpenAccess extends AnonymousAuthenticationFilter {

    private static final String KEY = "shortener-open-access";

    private final AuthSettings.Mode mode;

    OpenAccess(AuthSettings.Mode mode) {
        super(KEY);
        this.mode = mode;
    }

    @Override
    protected Authentication createAuthentication(HttpServletRequest request) {
        if (opens(request)) {
            return new AnonymousAuthenticationToken(KEY, Caller.ANONYMOUS, Caller.ANONYMOUS.getAuthorities());
        }
        return super.createAuthentication(request);
    }

    boolean opens(HttpServletRequest request) {
        return switch (mode) {
            case OPEN -> true;
            case KEYS -> false;
            case LOOPBACK_OPEN ->
                loopback(request.getRemoteAddr()) && localName(request.getServerName()) && !fromAnotherSite(request);
        };
    }

    /**
     * A browser on this machine sends requests that a web page asks for: those carry the page's
     * origin, and a DNS-rebinding page names its own host, so neither is the local user.
     */
    private static boolean fromAnotherSite(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return true;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        try {
            String host = java.net.URI.create(origin).getHost();
            return host == null || !localName(host);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    static boolean localName(String host) {
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return name.equals("localhost") || name.endsWith(".localhost") || loopback(name);
    }

    static boolean loopback(String address) {
        return address.startsWith("127.")
                || address.equals("::1")
                || address.equals("0:0:0:0:0:0:0:1")
                || address.startsWith("::ffff:127.");
    }
}
