package dev.shortener.identity;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;

/**
 * The authenticated party of a request: an API key (acting for its user, or for no user when it
 * is an operator's key), a browser session signed in with such a key or a password, or anyone at all where the
 * open mode lets anonymous requests through.
 *
 * @param keyId the key used, directly or to sign the session in; null for anonymous callers
 * @param userId the user the caller acts for; null for operator keys and anonymous callers
 * @param actor recorded beside every change the caller makes: {@code key:<id>}, {@code
 *     user:<id>/key:<id>} (a session and the key that signed it in), {@code user:<id>} (a session
 *     signed in with a password) or {@code anonymous}
 */
public record Caller(@Nullable Long keyId, @Nullable Long userId, Set<Scope> scopes, String actor)
        implements OAuth2AuthenticatedPrincipal, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Anyone, in the open mode: the contract's anonymous API, with every right. */
    private static final long NO_USER = 0;

    public static final Caller ANONYMOUS = new Caller(null, null, EnumSet.allOf(Scope.class), "anonymous");

    /** An anonymous request where the mode gives anonymous callers no right (public routes only). */
    public static final Caller NOBODY = new Caller(null, null, EnumSet.noneOf(Scope.class), "anonymous");

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    static Caller ofKey(long keyId, @Nullable Long userId, Set<Scope> scopes) {
        return new Caller(keyId, userId, scopes, "key:" + keyId);
    }

    /** A person signed in with a password: the scopes of a user's own data, or every right for an admin. */
    public static Caller ofUser(long userId, boolean admin) {
        Set<Scope> scopes =
                admin ? EnumSet.allOf(Scope.class) : EnumSet.of(Scope.LINKS_READ, Scope.LINKS_WRITE, Scope.STATS_READ);
        return new Caller(null, userId, scopes, "user:" + userId);
    }

    /** The same rights, recorded as the user behind a browser session and the key that signed it in. */
    Caller inSession() {
        return new Caller(keyId, userId, scopes, userId != null ? "user:" + userId + "/" + actor : actor);
    }

    public boolean admin() {
        return scopes.contains(Scope.ADMIN);
    }

    /** Whether this caller may see and change what {@code ownerId} owns (nobody owns null). */
    public boolean owns(@Nullable Long ownerId) {
        return admin() || (userId != null && userId.equals(ownerId));
    }

    /**
     * Whose data a list shows this caller: null (everyone's) for an admin, otherwise its own user's
     * ({@code 0}, which no user has, for a caller without one).
     */
    public @Nullable Long listableOwner() {
        return admin() ? null : userId != null ? userId : NO_USER;
    }

    /**
     * Whose budgets a request draws on: the user's (every key and session of theirs together, so
     * that new keys bring no new budget), an operator key's, or else the client address's.
     */
    public String accountable(String clientAddress) {
        return userId != null ? "user:" + userId : keyId != null ? "key:" + keyId : "ip:" + clientAddress;
    }

    /** The caller of the current request; {@link #NOBODY} where no rule asked for a credential. */
    public static Caller current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getPrincipal() instanceof Caller caller ? caller : NOBODY;
    }

    @Override
    public List<GrantedAuthority> getAuthorities() {
        List<GrantedAuthority> authorities = new ArrayList<>();
        Set<Scope> granted = admin() ? EnumSet.allOf(Scope.class) : scopes;
        granted.forEach(scope -> authorities.add(new SimpleGrantedAuthority(scope.authority())));
        if (admin()) {
            authorities.add(new SimpleGrantedAuthority(SecurityRules.ADMIN_ROLE));
        }
        return authorities;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return Map.of("actor", actor);
    }

    @Override
    public String getName() {
        return actor;
    }
}
