package dev.shortener.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.AppInstance;
import dev.shortener.KeysMode;
import dev.shortener.SessionAge;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/** Browser sessions: signed in with a key, changes only with the CSRF token, never cross-site. */
@KeysMode
class SessionTest {

    private static final String CSRF = "X-CSRF-TOKEN";
    private static final String LINK = "{\"original_url\":\"https://example.com/from-a-session\"}";

    @LocalServerPort
    private int port;

    @Autowired
    StringRedisTemplate redis;

    private Api anonymous;
    private Keys keys;
    private long user;
    private JsonNode key;

    @BeforeEach
    void signedUpUser() {
        anonymous = new Api("http://127.0.0.1:" + port);
        keys = new Keys(anonymous);
        user = keys.newUser();
        key = keys.newKey(user, "links:read", "links:write", "stats:read");
    }

    private Api.Response signIn() {
        return anonymous.post("/auth/session", Map.of("api_key", key.get("key").asString()));
    }

    @Test
    void aSessionChangesThingsOnlyWithItsCsrfToken() {
        Api.Response signedIn = signIn().expect(201);
        assertThat(signedIn.header("Set-Cookie")).contains("HttpOnly").containsIgnoringCase("SameSite=Lax");
        Api browser = anonymous.with("Cookie", Keys.sessionCookie(signedIn));
        String token = signedIn.json().get("csrf_token").asString();
        String actor = "user:" + user + "/key:" + key.get("id").asLong();
        assertThat(browser.get("/auth/session").expect(200).json().get("actor").asString())
                .isEqualTo(actor);

        browser.send("POST", "/urls", LINK, Map.of()).expect(403);
        browser.send("POST", "/urls", LINK, Map.of(CSRF, "forged")).expect(403);
        JsonNode link = browser.send("POST", "/urls", LINK, Map.of(CSRF, token))
                .expect(201)
                .json();

        assertThat(link.get("user_id").asLong()).isEqualTo(user);
        JsonNode created = browser.get("/events?url_id=" + link.get("id").asLong())
                .expect(200)
                .json()
                .get(0);
        assertThat(created.get("actor").asString()).isEqualTo(actor);
        assertThat(created.get("details").has("actor"))
                .as("details keep the contract's shape")
                .isFalse();
    }

    @Test
    void aKeyNeedsNoCsrfTokenAndIsRecordedAsTheActor() {
        Api withKey = anonymous.withKey(key.get("key").asString());
        long link = withKey.send("POST", "/urls", LINK, Map.of())
                .expect(201)
                .json()
                .get("id")
                .asLong();
        withKey.put("/urls/" + link, Map.of("title", "Renamed")).expect(200);

        JsonNode history = withKey.get("/events?url_id=" + link).expect(200).json();
        assertThat(history)
                .extracting(event -> event.get("actor").asString())
                .containsOnly("key:" + key.get("id").asLong());
    }

    @Test
    void everyInstanceKnowsTheSession() {
        Api.Response signedIn = signIn().expect(201);
        try (AppInstance second = AppInstance.start(Map.of("shortener.auth.mode", "keys"))) {
            Api there = second.api().with("Cookie", Keys.sessionCookie(signedIn));
            assertThat(there.get("/users/me").expect(200).json().get("id").asLong())
                    .isEqualTo(user);
            there.send(
                            "POST",
                            "/urls",
                            LINK,
                            Map.of(CSRF, signedIn.json().get("csrf_token").asString()))
                    .expect(201);
        }
    }

    @Test
    void theCookieNeverAuthenticatesACrossSiteRequest() {
        Api browser = anonymous.with("Cookie", Keys.sessionCookie(signIn().expect(201)));

        browser.send("GET", "/urls", null, Map.of("Sec-Fetch-Site", "same-origin"))
                .expect(200);
        browser.send("GET", "/urls", null, Map.of("Sec-Fetch-Site", "cross-site"))
                .expect(401);
    }

    @Test
    void aSessionEndsWhenItsKeyIsRevoked() {
        Api browser = anonymous.with("Cookie", Keys.sessionCookie(signIn().expect(201)));
        browser.get("/urls").expect(200);

        keys.admin().delete("/api-keys/" + key.get("id").asLong()).expect(204);

        await().atMost(Duration.ofSeconds(1)).until(() -> browser.get("/urls").status() == 401);
    }

    @Test
    void signingOutEndsTheSessionAndSigningInAgainStartsANewOne() {
        Api.Response first = signIn().expect(201);
        Api browser = anonymous.with("Cookie", Keys.sessionCookie(first));
        String token = first.json().get("csrf_token").asString();

        browser.send("DELETE", "/auth/session", null, Map.of()).expect(403);
        browser.send("DELETE", "/auth/session", null, Map.of(CSRF, token)).expect(204);
        browser.get("/urls").expect(401);
        assertThat(Keys.sessionCookie(signIn().expect(201))).isNotEqualTo(Keys.sessionCookie(first));
    }

    @Test
    void theCookieIsSecureWhenTheRequestCameOverTls() {
        Api.Response overTls = anonymous.send(
                "POST",
                "/auth/session",
                "{\"api_key\":\"" + key.get("key").asString() + "\"}",
                Map.of("X-Forwarded-Proto", "https"));
        assertThat(overTls.expect(201).header("Set-Cookie")).contains("Secure");
        assertThat(signIn().expect(201).header("Set-Cookie")).doesNotContain("Secure");
    }

    @Test
    void anotherSiteCannotSignABrowserIn() {
        String body = "{\"api_key\":\"" + key.get("key").asString() + "\"}";
        anonymous
                .send("POST", "/auth/session", body, Map.of("Sec-Fetch-Site", "cross-site"))
                .expect(403);
        anonymous.raw("POST", "/auth/session", body, "text/plain").expect(400);
    }

    @Test
    void aSessionSignedInWithAKeyCreatesKeysAtAnyAgeThatExpireWithThatKey() {
        JsonNode expiring = anonymous
                .withKey(KeysMode.ADMIN_KEY)
                .post(
                        "/api-keys",
                        Map.of(
                                "name",
                                "expiring",
                                "scopes",
                                List.of("links:read"),
                                "user_id",
                                user,
                                "expires_at",
                                "2099-01-01T00:00:00Z"))
                .expect(201)
                .json();
        Api.Response signedIn = anonymous
                .post("/auth/session", Map.of("api_key", expiring.get("key").asString()))
                .expect(201);
        String cookie = Keys.sessionCookie(signedIn);
        SessionAge.setBack(redis, cookie.substring(cookie.indexOf('=') + 1), Duration.ofHours(2));
        Api browser = anonymous
                .with("Cookie", cookie)
                .with(CSRF, signedIn.json().get("csrf_token").asString());

        JsonNode minted = browser.post("/api-keys", Map.of("name", "minted", "scopes", List.of("links:read")))
                .expect(201)
                .json();
        assertThat(minted.get("expires_at").asString()).startsWith("2099-01-01T00:00:00");
    }

    /** Seconds until Redis drops the session the cookie names. */
    private long secondsLeft(String cookie) {
        String id = new String(
                Base64.getDecoder().decode(cookie.substring(cookie.indexOf('=') + 1)), StandardCharsets.UTF_8);
        return redis.getExpire("spring:session:sessions:" + id);
    }

    @Test
    void aSessionNobodySignedInToLivesMinutesAndASignedInOneHours() {
        String form = Keys.sessionCookie(anonymous.get("/-/login").expect(200));
        assertThat(secondsLeft(form)).as("the sign-in form's session").isBetween(1L, 15 * 60L);

        String signedIn = Keys.sessionCookie(signIn().expect(201));
        assertThat(secondsLeft(signedIn)).as("a signed-in session").isGreaterThan(7 * 3600L);
    }

    @Test
    void onlyABearerKeySparesTheCsrfToken() {
        Api browser = anonymous.with("Cookie", Keys.sessionCookie(signIn().expect(201)));
        browser.send("POST", "/urls", LINK, Map.of("Authorization", "Basic eDp5"))
                .expect(403);
    }

    @Test
    void aWrongKeySignsNobodyIn() {
        Api.Response refused =
                anonymous.post("/auth/session", Map.of("api_key", "sk_nothing")).expect(401);
        assertThat(refused.header("Set-Cookie")).isNull();
        assertThat(refused.header("WWW-Authenticate")).startsWith("Bearer");
        anonymous.post("/auth/session", Map.of()).expect(422);
        anonymous.raw("POST", "/auth/session", "[1]", "application/json").expect(400);
    }

    @Test
    void anonymousCallsAreRefusedWithAChallenge() {
        Api.Response refused = anonymous.get("/urls").expect(401);
        assertThat(refused.header("WWW-Authenticate"))
                .startsWith("Bearer realm=\"shortener\"")
                .contains("resource_metadata=");
        JsonNode metadata = anonymous
                .get("/.well-known/oauth-protected-resource")
                .expect(200)
                .json();
        assertThat(metadata.get("scopes_supported").toString()).contains("links:read", "admin");
        anonymous
                .post("/users", Map.of("username", "x", "email", "x@example.com"))
                .expect(401);
        Api.Response invalid = anonymous.withKey("sk_wrong").get("/urls").expect(401);
        assertThat(invalid.header("WWW-Authenticate")).contains("invalid_token");
    }
}
