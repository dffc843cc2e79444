package dev.shortener.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.DeferredSecurityContext;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.stereotype.Component;

/**
 * Browser sessions, with two rules on top of Spring Security's session storage: a request that a
 * browser marks as cross-site ({@code Sec-Fetch-Site}) is never authenticated by its cookie, and a
 * session ends as soon as the key that signed it in is revoked or expires.
 */
@Component
class SessionContexts extends HttpSessionSecurityContextRepository {

    private final KeyIntrospector keys;

    SessionContexts(KeyIntrospector keys) {
        this.keys = keys;
    }

    @Override
    public DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
        if ("cross-site".equalsIgnoreCase(request.getHeader("Sec-Fetch-Site"))) {
            return new Deferred(SessionContexts::empty, true);
        }
        DeferredSecurityContext stored = super.loadDeferredContext(request);
        return new Deferred(
                () -> {
                    SecurityContext context = stored.get();
                    if (stale(context.getAuthentication())) {
                        HttpSession session = request.getSession(false);
                        if (session != null) {
                            session.invalidate();
                        }
                        return empty();
                    }
                    return context;
                },
                stored.isGenerated());
    }

    private boolean stale(@Nullable Authentication authentication) {
        return authentication != null
                && authentication.getPrincipal() instanceof Caller caller
                && caller.keyId() != null
                && !keys.active(caller.keyId());
    }

    private static SecurityContext empty() {
        return SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
    }

    private record Deferred(Supplier<SecurityContext> context, boolean isGenerated) implements DeferredSecurityContext {

        @Override
        public SecurityContext get() {
            return context.get();
        }
    }
}
