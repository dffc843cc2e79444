package dev.shortener.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.shortener.Api;
import dev.shortener.KeysMode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Every route the application maps, read from its live handler mappings, against every kind of
 * caller: the answer's status is the rule. A route that is added without a row here fails {@link
 * #everyMappedRouteHasARule}, so no route ships without a decision.
 */
@KeysMode
class AuthorizationMatrixTest {

    enum Who {
        ANONYMOUS,
        OWNER,
        OTHER_USER,
        ADMIN,
        EXPIRED_KEY,
        REVOKED_KEY,
        SESSION_WITHOUT_CSRF
    }

    /** What one request needs: fresh resources of the owner, made on demand. */
    private final class Fixture {
        private final Keys keys;

        Fixture(Keys keys) {
            this.keys = keys;
        }

        long link() {
            return keys.newLink(ownerId).get("id").asLong();
        }

        String code() {
            return keys.newLink(ownerId).get("short_code").asString();
        }

        long event() {
            long link = link();
            return keys.admin()
                    .get("/events?url_id=" + link)
                    .expect(200)
                    .json()
                    .get(0)
                    .get("id")
                    .asLong();
        }

        long user() {
            return keys.newUser();
        }

        long ownerKey() {
            return keys.newKey(ownerId, "links:read").get("id").asLong();
        }
    }

    /** Sends a request that is not JSON (an upload). */
    private interface Sender {
        Api.Response send(Api api, String path);
    }

    /** One route's request and the status each caller gets. */
    private record Rule(
            String method,
            Function<Fixture, String> path,
            @Nullable Function<Fixture, String> body,
            @Nullable Sender sender,
            Map<Who, Integer> expected) {

        Rule except(Who who, int status) {
            Map<Who, Integer> changed = new EnumMap<>(expected);
            changed.put(who, status);
            return new Rule(method, path, body, sender, changed);
        }

        Api.Response send(Api api, Fixture fixture) {
            String target = path.apply(fixture);
            if (sender != null) {
                return sender.send(api, target);
            }
            return api.send(method, target, body == null ? null : body.apply(fixture), Map.of());
        }
    }

    private static final Set<String> SAFE = Set.of("GET", "HEAD");

    @LocalServerPort
    private int port;

    @Autowired
    private List<RequestMappingInfoHandlerMapping> mappings;

    @Autowired
    private JdbcClient db;

    private long ownerId;

    @Test
    void everyMappedRouteHasARule() {
        assertThat(new TreeSet<>(rules().keySet()))
                .as("a rule for every mapped route, and no rule for a route that is gone")
                .containsExactlyElementsOf(new TreeSet<>(mappedRoutes()));
    }

    @TestFactory
    Stream<DynamicTest> everyRouteAnswersEveryCallerByItsRule() {
        Api anonymous = new Api("http://127.0.0.1:" + port);
        Keys keys = new Keys(anonymous);
        ownerId = keys.newUser();
        long otherId = keys.newUser();
        String ownerKey = keys.userKey(ownerId);
        JsonKey expired = new JsonKey(keys.newKey(ownerId, "links:read", "links:write", "stats:read"));
        db.sql("UPDATE api_keys SET expires_at = (now() AT TIME ZONE 'utc') - interval '1 day' WHERE id = ?")
                .param(expired.id())
                .update();
        JsonKey revoked = new JsonKey(keys.newKey(ownerId, "links:read", "links:write", "stats:read"));
        keys.admin().delete("/api-keys/" + revoked.id()).expect(204);
        String session = Keys.sessionCookie(
                anonymous.post("/auth/session", Map.of("api_key", ownerKey)).expect(201));

        Map<Who, Api> callers = new EnumMap<>(Who.class);
        callers.put(Who.ANONYMOUS, anonymous);
        callers.put(Who.OWNER, anonymous.withKey(ownerKey));
        callers.put(Who.OTHER_USER, anonymous.withKey(keys.userKey(otherId)));
        callers.put(Who.ADMIN, keys.admin());
        callers.put(Who.EXPIRED_KEY, anonymous.withKey(expired.secret()));
        callers.put(Who.REVOKED_KEY, anonymous.withKey(revoked.secret()));
        callers.put(Who.SESSION_WITHOUT_CSRF, anonymous.with("Cookie", session));

        Fixture fixture = new Fixture(keys);
        List<DynamicTest> tests = new ArrayList<>();
        rules().forEach((route, rule) -> rule.expected()
                .forEach((who, status) -> tests.add(dynamicTest(route + " as " + who + " -> " + status, () -> {
                    Api.Response response = rule.send(callers.get(who), fixture);
                    response.expect(status);
                    if (status == 401) {
                        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
                    }
                }))));
        return tests.stream();
    }

    private record JsonKey(long id, String secret) {
        JsonKey(tools.jackson.databind.JsonNode key) {
            this(key.get("id").asLong(), key.get("key").asString());
        }
    }

    private Set<String> mappedRoutes() {
        Set<String> routes = new TreeSet<>();
        for (RequestMappingInfoHandlerMapping mapping : mappings) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<String> methods = info.getMethodsCondition().getMethods().isEmpty()
                        ? Set.of("*")
                        : info.getMethodsCondition().getMethods().stream()
                                .map(Enum::name)
                                .collect(java.util.stream.Collectors.toSet());
                for (String pattern : info.getPatternValues()) {
                    methods.forEach(method -> routes.add(method + " " + pattern));
                }
            }
        }
        return routes;
    }

    /** The rules, by route as the handler mappings name it. */
    private Map<String, Rule> rules() {
        Map<String, Rule> rules = new LinkedHashMap<>();
        // public
        rules.put("GET /health", open("GET", fx -> "/health", 200));
        rules.put("GET /health/ready", open("GET", fx -> "/health/ready", 200));
        rules.put("GET /openapi.json", open("GET", fx -> "/openapi.json", 200));
        rules.put("GET /openapi.json.yaml", open("GET", fx -> "/openapi.json.yaml", 200));
        rules.put("GET /openapi.json/swagger-config", open("GET", fx -> "/openapi.json/swagger-config", 200));
        rules.put("GET /docs", open("GET", fx -> "/docs", 302));
        // redirects: the fast path answers them before any credential is read
        rules.put("GET /{code}", rule("GET", fx -> "/" + fx.code(), null, null, 302, 302, 302, 302, 302, 302, 302));
        rules.put(
                "GET /urls/{code}/redirect",
                rule("GET", fx -> "/urls/" + fx.code() + "/redirect", null, null, 302, 302, 302, 302, 302, 302, 302));
        // signing in: a session that exists already needs its token for a new sign-in
        rules.put(
                "POST /auth/session",
                rule(
                        "POST",
                        fx -> "/auth/session",
                        fx -> "{\"api_key\":\"" + KeysMode.ADMIN_KEY + "\"}",
                        null,
                        201,
                        201,
                        201,
                        201,
                        401,
                        401,
                        403));
        rules.put("GET /auth/session", anyCredential("GET", fx -> "/auth/session", null, 200));
        rules.put("DELETE /auth/session", anyCredential("DELETE", fx -> "/auth/session", null, 204));
        // keys: the caller's own
        rules.put(
                "POST /api-keys",
                anyCredential(
                                "POST",
                                fx -> "/api-keys",
                                fx -> "{\"name\":\"k\",\"scopes\":[\"links:read\"],\"user_id\":" + ownerId + "}",
                                201)
                        .except(Who.OTHER_USER, 403));
        rules.put("GET /api-keys", anyCredential("GET", fx -> "/api-keys", null, 200));
        rules.put("DELETE /api-keys/{id}", owned("DELETE", fx -> "/api-keys/" + fx.ownerKey(), null, 204));
        // users: the admin's, but oneself
        rules.put(
                "GET /users/me",
                anyCredential("GET", fx -> "/users/me", null, 200).except(Who.ADMIN, 404));
        rules.put(
                "POST /users",
                admin(
                        "POST",
                        fx -> "/users",
                        fx -> "{\"username\":\"made\",\"email\":\"made" + System.nanoTime() + "@example.com\"}",
                        201));
        rules.put("GET /users", admin("GET", fx -> "/users", null, 200));
        rules.put("GET /users/{id}", admin("GET", fx -> "/users/" + ownerId, null, 200));
        rules.put(
                "PUT /users/{id}", admin("PUT", fx -> "/users/" + fx.user(), fx -> "{\"username\":\"renamed\"}", 200));
        rules.put("DELETE /users/{id}", admin("DELETE", fx -> "/users/" + fx.user(), null, 204));
        // links: their owner's
        rules.put(
                "POST /urls",
                anyCredential("POST", fx -> "/urls", fx -> "{\"original_url\":\"https://example.com/mine\"}", 201));
        rules.put("GET /urls", anyCredential("GET", fx -> "/urls", null, 200));
        rules.put("GET /urls/{id}", owned("GET", fx -> "/urls/" + fx.link(), null, 200));
        rules.put("PUT /urls/{id}", owned("PUT", fx -> "/urls/" + fx.link(), fx -> "{\"title\":\"Renamed\"}", 200));
        rules.put("DELETE /urls/{id}", owned("DELETE", fx -> "/urls/" + fx.link(), null, 204));
        rules.put("GET /urls/{id}/stats", owned("GET", fx -> "/urls/" + fx.link() + "/stats", null, 200));
        rules.put("GET /events", anyCredential("GET", fx -> "/events", null, 200));
        rules.put("GET /events/{id}", owned("GET", fx -> "/events/" + fx.event(), null, 200));
        // the operator's
        rules.put(
                "POST /events",
                admin("POST", fx -> "/events", fx -> "{\"event_type\":\"share\",\"url_id\":" + fx.link() + "}", 201));
        rules.put(
                "POST /{entity:users|urls|events}/bulk",
                rule(
                        "POST",
                        fx -> "/users/bulk",
                        null,
                        (api, path) -> api.upload(
                                path,
                                "file",
                                "users.csv",
                                "username,email\nbulk,bulk" + System.nanoTime() + "@example.com\n"),
                        401,
                        403,
                        403,
                        201,
                        401,
                        401,
                        403));
        rules.put("GET /imports/{id}", admin("GET", fx -> "/imports/987654321", null, 404));
        rules.put("GET /imports/{id}/events", admin("GET", fx -> "/imports/987654321/events", null, 404));
        rules.put("GET /imports/dead-letters", admin("GET", fx -> "/imports/dead-letters", null, 200));
        rules.put("GET /imports/dead-letters/{id}", admin("GET", fx -> "/imports/dead-letters/987654321", null, 404));
        rules.put(
                "POST /imports/dead-letters/{id}/replay",
                admin("POST", fx -> "/imports/dead-letters/987654321/replay", fx -> "{}", 404));
        rules.put(
                "DELETE /imports/dead-letters/{id}",
                admin("DELETE", fx -> "/imports/dead-letters/987654321", null, 404));
        rules.put("GET /blocked-domains", admin("GET", fx -> "/blocked-domains", null, 200));
        rules.put(
                "POST /blocked-domains",
                admin(
                        "POST",
                        fx -> "/blocked-domains",
                        fx -> "{\"domain\":\"blocked" + System.nanoTime() + ".example\"}",
                        201));
        rules.put(
                "DELETE /blocked-domains/{domain}",
                admin("DELETE", fx -> "/blocked-domains/never-blocked.example", null, 404));
        // abuse: anyone reports, admins take links down
        rules.put(
                "POST /abuse-reports",
                rule(
                        "POST",
                        fx -> "/abuse-reports",
                        fx -> "{\"short_code\":\"" + fx.code() + "\",\"reason\":\"spam\"}",
                        null,
                        201,
                        201,
                        201,
                        201,
                        401,
                        401,
                        403));
        rules.put("GET /abuse-reports", admin("GET", fx -> "/abuse-reports", null, 200));
        rules.put(
                "POST /abuse-reports/{id}/resolve",
                admin("POST", fx -> "/abuse-reports/987654321/resolve", fx -> "{\"resolution\":\"none\"}", 404));
        rules.put(
                "PUT /urls/{id}/block",
                admin("PUT", fx -> "/urls/" + fx.link() + "/block", fx -> "{\"reason\":\"test\"}", 200));
        rules.put("DELETE /urls/{id}/block", admin("DELETE", fx -> "/urls/" + fx.link() + "/block", null, 404));
        rules.put("GET /blocked-links", admin("GET", fx -> "/blocked-links", null, 200));
        // the web application: public pages; forms need the CSRF token of a browser session, and a
        // key (which the pages never take) gets past it only to a refused form
        rules.put("GET /", open("GET", fx -> "/", 200));
        rules.put("GET /-/login", open("GET", fx -> "/-/login", 200));
        rules.put("GET /-/signup", open("GET", fx -> "/-/signup", 200));
        rules.put("GET /-/welcome/{token}", open("GET", fx -> "/-/welcome/no-such-token", 404));
        rules.put("POST /-/login", form(fx -> "/-/login", 422));
        rules.put("POST /-/login/passkey/options", form(fx -> "/-/login/passkey/options", 200));
        rules.put("POST /-/login/passkey", form(fx -> "/-/login/passkey", 400));
        rules.put("POST /-/signup", form(fx -> "/-/signup", 422));
        rules.put("POST /-/welcome/{token}", form(fx -> "/-/welcome/no-such-token", 404));
        // an operator's key acts for no user and may not write links: it is sent to sign in
        rules.put("POST /-/shorten", form(fx -> "/-/shorten", 422).except(Who.ADMIN, 302));
        rules.put("POST /-/logout", form(fx -> "/-/logout", 302));
        // a person's pages and the administrators' pages: people signed in with a password only
        for (String route : List.of(
                "GET /-/links",
                "POST /-/links/deactivate",
                "GET /-/links/{id}",
                "POST /-/links/{id}",
                "GET /-/links/{id}/qr.{format:png|svg}",
                "GET /-/settings/api-keys",
                "POST /-/settings/api-keys",
                "POST /-/settings/api-keys/{id}/revoke",
                "GET /-/settings/passkeys",
                "POST /-/settings/passkeys/options",
                "POST /-/settings/passkeys",
                "POST /-/settings/passkeys/{id}/remove",
                "GET /-/admin",
                "GET /-/admin/users",
                "POST /-/admin/users/invite",
                "POST /-/admin/users/{id}/reset",
                "GET /-/admin/abuse",
                "POST /-/admin/abuse/block",
                "POST /-/admin/abuse/{urlId}/unblock",
                "POST /-/admin/abuse/reports/{id}/resolve",
                "GET /-/admin/imports",
                "POST /-/admin/imports/dead-letters/{id}/replay")) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1)
                    .replace("{id}", "1")
                    .replace("{urlId}", "1")
                    .replace("{format:png|svg}", "png");
            rules.put(route, personPage(method, fx -> path));
        }
        // errors forwarded by the container: an ERROR dispatch only, whatever the method
        rules.put("* /error", rule("GET", fx -> "/error", null, null, 404, 404, 404, 404, 401, 401, 404));
        return rules;
    }

    /** Statuses in the order of {@link Who}. */
    private static Rule rule(
            String method,
            Function<Fixture, String> path,
            @Nullable Function<Fixture, String> body,
            @Nullable Sender sender,
            int... statuses) {
        Map<Who, Integer> expected = new EnumMap<>(Who.class);
        for (Who who : Who.values()) {
            expected.put(who, statuses[who.ordinal()]);
        }
        return new Rule(method, path, body, sender, expected);
    }

    /** Anyone; a bad key is refused all the same. */
    private static Rule open(String method, Function<Fixture, String> path, int ok) {
        return rule(method, path, null, null, ok, ok, ok, ok, 401, 401, ok);
    }

    /** Any credential, for what is its own. */
    private static Rule anyCredential(
            String method, Function<Fixture, String> path, @Nullable Function<Fixture, String> body, int ok) {
        return rule(method, path, body, null, 401, ok, ok, ok, 401, 401, SAFE.contains(method) ? ok : 403);
    }

    /** The owner of the resource (and admins); another user is told it does not exist. */
    private static Rule owned(
            String method, Function<Fixture, String> path, @Nullable Function<Fixture, String> body, int ok) {
        return anyCredential(method, path, body, ok).except(Who.OTHER_USER, 404);
    }

    /** A public form: without a session's CSRF token refused, with a key only its own answer. */
    private static Rule form(Function<Fixture, String> path, int withKey) {
        return rule("POST", path, fx -> "{}", null, 403, withKey, withKey, withKey, 401, 401, 403);
    }

    /** People signed in with a password: a browser without a session signs in first; keys are refused. */
    private static Rule personPage(String method, Function<Fixture, String> path) {
        boolean read = SAFE.contains(method);
        return rule(method, path, read ? null : fx -> "{}", null, read ? 302 : 403, 403, 403, 403, 401, 401, 403);
    }

    /** Admins only. */
    private static Rule admin(
            String method, Function<Fixture, String> path, @Nullable Function<Fixture, String> body, int ok) {
        return rule(method, path, body, null, 401, 403, 403, ok, 401, 401, 403);
    }
}
