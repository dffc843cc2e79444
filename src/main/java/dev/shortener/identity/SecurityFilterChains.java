package dev.shortener.identity;

import dev.shortener.platform.ErrorPage;
import dev.shortener.platform.SecurityHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import tools.jackson.databind.ObjectMapper;

/**
 * The HTTP security of both servers: the management server's endpoints take no credential; the
 * application's routes follow {@link SecurityRules} with API keys, sessions and the open modes, and
 * refusals are answered as the pages and the API each need.
 */
@Configuration(proxyBeanMethods = false)
// the command line (import, generate) runs without a web server, and so without HTTP security
@ConditionalOnWebApplication
class SecurityFilterChains {

    private static final Logger log = LoggerFactory.getLogger(SecurityFilterChains.class);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    /**
     * The management server is reached only on a private network (no proxy publishes it), so its
     * endpoints take no credential; nothing else answers there.
     */
    @Bean
    @Order(1)
    SecurityFilterChain management(HttpSecurity http, ManagementPort port) throws Exception {
        http.securityMatcher(port)
                .authorizeHttpRequests(routes -> routes.anyRequest().permitAll())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable);
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain api(
            HttpSecurity http,
            AuthSettings settings,
            KeyIntrospector keys,
            SessionContexts sessions,
            SecurityHeaders securityHeaders,
            ObjectMapper json)
            throws Exception {
        AuthSettings.Mode mode = settings.parsedMode();
        logMode(mode);
        SecurityProblems problems = new SecurityProblems(json);
        http.authorizeHttpRequests(SecurityRules::rules)
                .oauth2ResourceServer(resource -> resource.authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems)
                        .opaqueToken(token -> token.introspector(keys))
                        // RFC 9728 metadata, which the 401 challenge points to: what a key may hold
                        .protectedResourceMetadata(metadata -> metadata.protectedResourceMetadataCustomizer(about ->
                                about.resourceName("URL shortener API")
                                        .scopes(scopes -> Arrays.stream(Scope.values())
                                                .forEach(scope -> scopes.add(scope.text())))
                                        .tlsClientCertificateBoundAccessTokens(false))))
                // pages send people to the sign-in page or show a page; the API answers problem details
                .exceptionHandling(errors -> errors.defaultAuthenticationEntryPointFor(
                                SecurityFilterChains::toSignIn, SecurityFilterChains::page)
                        .defaultAuthenticationEntryPointFor(problems, AnyRequestMatcher.INSTANCE)
                        .defaultAccessDeniedHandlerFor(SecurityFilterChains::deniedPage, SecurityFilterChains::page)
                        .defaultAccessDeniedHandlerFor(problems, AnyRequestMatcher.INSTANCE))
                .anonymous(anonymous -> anonymous.authenticationFilter(new OpenAccess(mode)))
                .securityContext(context -> context.securityContextRepository(sessions))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                // Only a session's changes need a token: a key is not sent by a browser on its own.
                .csrf(csrf -> csrf.requireCsrfProtectionMatcher(SecurityFilterChains::sessionChange))
                .headers(headers -> {
                    headers.defaultsDisabled();
                    securityHeaders.all().forEach((name, value) -> headers.addHeaderWriter(writer(name, value)));
                })
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable);
        return http.build();
    }

    /**
     * A header for every answer; the content security policy spares pages that bring their own and
     * lets the web application's pages load their own scripts and styles.
     */
    private static HeaderWriter writer(String name, String value) {
        if (!name.equals(SecurityHeaders.CONTENT_SECURITY_POLICY)) {
            return new StaticHeadersWriter(name, value);
        }
        return (request, response) -> {
            String path = request.getRequestURI();
            if (SecurityHeaders.OWN_POLICY_PATHS.stream().noneMatch(path::startsWith)
                    && !response.containsHeader(name)) {
                response.setHeader(name, SecurityHeaders.pagePath(path) ? SecurityHeaders.PAGE_POLICY : value);
            }
        };
    }

    /**
     * A state change carried by a session cookie, not by an API key; every form of the web
     * application too, signing in included (so no other site can sign a browser in).
     */
    private static boolean sessionChange(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
        return !SAFE_METHODS.contains(request.getMethod())
                && !bearer
                && (request.getSession(false) != null || page(request));
    }

    /** A request of the web application's pages (not of the API). */
    private static boolean page(HttpServletRequest request) {
        return SecurityHeaders.pagePath(request.getRequestURI());
    }

    /** A person who is not signed in goes to the sign-in page, and comes back after it. */
    private static void toSignIn(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException refused)
            throws IOException {
        String query = request.getQueryString();
        String back = request.getRequestURI() + (query == null ? "" : "?" + query);
        response.sendRedirect("/-/login?next=" + URLEncoder.encode(back, StandardCharsets.UTF_8));
    }

    private static void deniedPage(
            HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied) {
        if (denied instanceof CsrfException) {
            ErrorPage.write(
                    response,
                    HttpStatus.FORBIDDEN,
                    "This form has expired",
                    "The page was opened before the session it belongs to ended. Go back, reload the page and"
                            + " send the form again.");
            return;
        }
        ErrorPage.write(
                response,
                HttpStatus.FORBIDDEN,
                "Not for this account",
                "This page is for administrators. Sign in with an administrator's account to see it.");
    }

    private static void logMode(AuthSettings.Mode mode) {
        switch (mode) {
            case KEYS ->
                log.info("Authentication: AUTH_MODE=keys; every route but redirects, health, docs and sign-in"
                        + " needs an API key or a session");
            case OPEN ->
                log.warn("Authentication: AUTH_MODE=open; anyone who reaches this instance may read and change"
                        + " everything");
            case LOOPBACK_OPEN ->
                log.info(
                        "Authentication: AUTH_MODE unset; open to clients on this machine (loopback),"
                                + " API keys required from every other address. Set AUTH_MODE=keys or AUTH_MODE=open to choose");
        }
    }
}
