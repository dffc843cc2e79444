package dev.shortener.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * The anonymous caller where the mode lets it act: in {@code open} mode everyone, and with
 * {@code AUTH_MODE} unset the clients on this machine (the address after the trusted-proxy
 * rules). Elsewhere an anonymous request holds no right and a protected route answers 401.
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
            case LOOPBACK_OPEN -> loopback(request.getRemoteAddr());
        };
    }

    static boolean loopback(String address) {
        return address.startsWith("127.")
                || address.equals("::1")
                || address.equals("0:0:0:0:0:0:0:1")
                || address.startsWith("::ffff:127.");
    }
}
