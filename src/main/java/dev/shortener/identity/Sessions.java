package dev.shortener.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/** Starts and ends browser sessions, for the sign-in API and the web application's pages. */
@Component
public class Sessions {

    private final SessionContexts contexts;
    private final AccountStamps stamps;
    private final AuthSettings settings;

    Sessions(SessionContexts contexts, AccountStamps stamps, AuthSettings settings) {
        this.contexts = contexts;
        this.stamps = stamps;
        this.settings = settings;
    }

    /** Signs the browser in as {@code caller}, under a new session id (no fixation). */
    public void start(Caller caller, HttpServletRequest request, HttpServletResponse response) {
        end(request);
        HttpSession session = request.getSession(true);
        // a session begins with the short life of one nobody signed in to; a signed-in one lives SESSION_TIMEOUT
        session.setMaxInactiveInterval((int) settings.sessionTimeout().toSeconds());
        if (caller.keyId() == null && caller.userId() != null) {
            stamps.stampOf(caller.userId())
                    .ifPresent(stamp -> session.setAttribute(SessionContexts.ACCOUNT_STAMP, stamp));
        }
        SecurityContext context =
                SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
        context.setAuthentication(
                UsernamePasswordAuthenticationToken.authenticated(caller, null, caller.getAuthorities()));
        SecurityContextHolder.getContextHolderStrategy().setContext(context);
        contexts.saveContext(context, request, response);
    }

    /**
     * Whether {@code caller} signed in recently enough to make credentials that outlive the session
     * (API keys, invitation and password-reset links). A session signed in with a password or passkey
     * must be younger than {@code AUTH_FRESH_SIGN_IN} (sign-in starts a new session), so that a stolen
     * session cookie cannot be turned into one; a caller with a key, or a session signed in with one,
     * is bounded by that key instead.
     */
    public boolean signedInRecently(Caller caller, HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (caller.keyId() != null || session == null || !contexts.containsContext(request)) {
            return true;
        }
        return System.currentTimeMillis() - session.getCreationTime()
                <= settings.freshSignIn().toMillis();
    }

    /** Ends the browser's session, if it has one. */
    public void end(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.getContextHolderStrategy().clearContext();
    }
}
