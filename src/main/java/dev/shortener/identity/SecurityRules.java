package dev.shortener.identity;

import jakarta.servlet.DispatcherType;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may call which route (docs/security.md has the table). A route that no matcher names is
 * admin-only, but for a GET of one path segment, which is a redirect; {@code AuthorizationMatrixTest}
 * fails for any mapped route without its own row.
 * Rules check authorities only, so the open mode's anonymous caller passes them like a key would.
 */
final class SecurityRules {

    static final String ADMIN_ROLE = "ROLE_ADMIN";

    private SecurityRules() {}

    /** The rule of every route of the application's filter chain ({@link SecurityFilterChains}). */
    static void rules(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry routes) {
        String[] anyScope = Arrays.stream(Scope.values()).map(Scope::authority).toArray(String[]::new);
        routes.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC)
                .permitAll()
                // public: probes, API documentation, signing in
                .requestMatchers(reads("/health", "/health/ready"))
                .permitAll()
                .requestMatchers(HttpMethod.GET, "/openapi.json", "/openapi.json.yaml", "/openapi.json/**")
                .permitAll()
                .requestMatchers(HttpMethod.GET, "/docs", "/docs/**", "/swagger-ui/**")
                .permitAll()
                .requestMatchers(HttpMethod.POST, "/auth/session", "/abuse-reports")
                .permitAll()
                // the web application: public pages, then a signed-in person's, then an admin's
                .requestMatchers(reads("/", "/-/static/**", "/-/webjars/**"))
                .permitAll()
                .requestMatchers(
                        "/-/login", "/-/login/passkey", "/-/login/passkey/options", "/-/signup", "/-/welcome/*")
                .permitAll()
                .requestMatchers("/-/logout", "/-/shorten")
                .permitAll()
                .requestMatchers("/-/admin", "/-/admin/**")
                .access(SecurityRules::signedInAdmin)
                .requestMatchers("/-/**")
                .access(SecurityRules::signedInPerson)
                // operators only
                .requestMatchers(HttpMethod.POST, "/*/bulk", "/events")
                .hasAuthority(ADMIN_ROLE)
                .requestMatchers("/imports", "/imports/**", "/blocked-domains", "/blocked-domains/**")
                .hasAuthority(ADMIN_ROLE)
                .requestMatchers("/abuse-reports", "/abuse-reports/**", "/urls/*/block", "/blocked-links")
                .hasAuthority(ADMIN_ROLE)
                .requestMatchers(HttpMethod.GET, "/users/me")
                .hasAnyAuthority(anyScope)
                .requestMatchers("/users", "/users/**")
                .hasAuthority(ADMIN_ROLE)
                // every credential: its own keys and session
                .requestMatchers("/api-keys", "/api-keys/**", "/auth/session")
                .hasAnyAuthority(anyScope)
                // links, limited to their owner by the controllers
                .requestMatchers(reads("/urls/*/redirect"))
                .permitAll()
                .requestMatchers(reads("/urls/*/stats", "/events", "/events/*"))
                .hasAuthority(Scope.STATS_READ.authority())
                .requestMatchers(reads("/urls", "/urls/*"))
                .hasAuthority(Scope.LINKS_READ.authority())
                .requestMatchers(HttpMethod.POST, "/urls")
                .hasAuthority(Scope.LINKS_WRITE.authority())
                .requestMatchers(HttpMethod.PUT, "/urls/*")
                .hasAuthority(Scope.LINKS_WRITE.authority())
                .requestMatchers(HttpMethod.DELETE, "/urls/*")
                .hasAuthority(Scope.LINKS_WRITE.authority())
                // redirects: GET /{code} (literal routes above are more specific)
                .requestMatchers(reads("/*"))
                .permitAll()
                .anyRequest()
                .hasAuthority(ADMIN_ROLE);
    }

    /**
     * A person signed in with a password or a passkey: the pages act with all of that person's rights, so an API
     * key (whose scopes may be narrower) and the open modes' anonymous caller use the API instead.
     */
    private static AuthorizationDecision signedInPerson(
            Supplier<? extends @Nullable Authentication> authentication, RequestAuthorizationContext context) {
        return new AuthorizationDecision(person(authentication.get()) != null);
    }

    /** A person signed in with an administrator's account. */
    private static AuthorizationDecision signedInAdmin(
            Supplier<? extends @Nullable Authentication> authentication, RequestAuthorizationContext context) {
        Caller person = person(authentication.get());
        return new AuthorizationDecision(person != null && person.admin());
    }

    private static @Nullable Caller person(@Nullable Authentication authentication) {
        return authentication != null
                        && authentication.getPrincipal() instanceof Caller caller
                        && caller.userId() != null
                        && caller.keyId() == null
                ? caller
                : null;
    }

    /** GET and HEAD (which Spring MVC answers as GET) of these paths. */
    private static RequestMatcher reads(String... patterns) {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return new OrRequestMatcher(Arrays.stream(patterns)
                .flatMap(pattern ->
                        Stream.of(paths.matcher(HttpMethod.GET, pattern), paths.matcher(HttpMethod.HEAD, pattern)))
                .map(RequestMatcher.class::cast)
                .toList());
    }
}
