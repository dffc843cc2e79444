package dev.shortener.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.Optional;
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
 * browser marks as cross-site ({@code Sec-Fetch-Site}) is never authenticated by its cookie (but a
 * person's top-level visit of a page, following a link from elsewhere), and a
 * session ends as soon as the key that signed it in is revoked or expires, or, for a session signed
 * in with a password, as soon as the account's password or role changes or the account is gone
 * (every instance within the key cache's TTL).
 */
@Component
class SessionContexts extends HttpSessionSecurityContextRepository {

    /** The session attribute with the account stamp a password session was signed in under. */
    static final String ACCOUNT_STAMP = SessionContexts.class.getName() + ".accountStamp";

    private final KeyIntrospector keys;
    private final AccountStamps stamps;
    private final Cache<Long, Optional<String>> stampById;

    SessionContexts(KeyIntrospector keys, AccountStamps stamps, AuthSettings settings) {
        this.keys = keys;
        this.stamps = stamps;
        this.stampById = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(settings.keyCacheTtl())
                .build();
    }

    @Override
    public DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
        if ("cross-site".equalsIgnoreCase(request.getHeader("Sec-Fetch-Site")) && !pageVisit(request)) {
            return new Deferred(SessionContexts::empty, true);
        }
        DeferredSecurityContext stored = super.loadDeferredContext(request);
        return new Deferred(
                () -> {
                    SecurityContext context = stored.get();
                    HttpSession current = request.getSession(false);
                    if (stale(context.getAuthentication(), current)) {
                        HttpSession session = current;
                        if (session != null) {
                            session.invalidate();
                        }
                        return empty();
                    }
                    return context;
                },
                stored.isGenerated());
    }

    private boolean stale(@Nullable Authentication authentication, @Nullable HttpSession session) {
        if (authentication == null || !(authentication.getPrincipal() instanceof Caller caller)) {
            return false;
        }
        if (caller.keyId() != null) {
            return !keys.active(caller.keyId());
        }
        if (caller.userId() == null || session == null) {
            return false;
        }
        Object signedInUnder = session.getAttribute(ACCOUNT_STAMP);
        if (signedInUnder == null) {
            return true;
        }
        if (stampById
                .get(caller.userId(), stamps::stampOf)
                .filter(signedInUnder::equals)
                .isPresent()) {
            return false;
        }
        // this instance may hold a stamp older than the session's sign-in: read it again once
        Optional<String> now = stamps.stampOf(caller.userId());
        stampById.put(caller.userId(), now);
        return now.filter(signedInUnder::equals).isEmpty();
    }

    /**
     * A person following a link to a page from another site (an e-mail, a chat): a top-level GET,
     * which changes nothing and whose answer the other site cannot read.
     */
    private static boolean pageVisit(HttpServletRequest request) {
        return "GET".equals(request.getMethod())
                && "navigate".equalsIgnoreCase(request.getHeader("Sec-Fetch-Mode"))
                && request.getRequestURI().startsWith("/-/");
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
