package dev.shortener.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api;
import dev.shortener.AppInstance;
import dev.shortener.KeysMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Budgets per key and per client address, shared through Redis: a scan of unknown codes is
 * stopped while known redirects never are; writes and sign-ins have budgets of their own. Client
 * addresses come from X-Forwarded-For, which the loopback proxy is trusted to send.
 */
class RateLimitTest {

    /** Writes a user or key may make a minute: the admin's nine below leave it one. */
    private static final int WRITES = 10;

    private static AppInstance app;
    private static Api admin;
    private static List<String> keys;
    /** Two keys of one user. */
    private static List<String> oneUsersKeys;

    @BeforeAll
    static void startWithSmallBudgets() {
        app = AppInstance.start(limits("keys", WRITES));
        admin = app.api().withKey(KeysMode.ADMIN_KEY);
        keys = List.of(newUserKey(), newUserKey(), newUserKey());
        long user = admin.post("/users", Map.of("username", "many keys", "email", unique("m") + "@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        oneUsersKeys = List.of(newKeyOf(user), newKeyOf(user));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Map<String, String> limits(String mode, int writes) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "shortener.auth.mode",
                mode,
                "shortener.auth.admin-api-key",
                KeysMode.ADMIN_KEY,
                "shortener.rate-limits.writes",
                Integer.toString(writes),
                "shortener.rate-limits.reads",
                "1000",
                "shortener.rate-limits.sign-ins",
                "3",
                "shortener.rate-limits.unknown-codes",
                "10"));
        return properties;
    }

    /** Three wrong keys from {@code address} are answered 401, the fourth 429 (sign-ins=3). */
    private static void guessesTillRefused(AppInstance instance, String address) {
        for (int i = 0; i < 3; i++) {
            instance.api()
                    .send("POST", "/auth/session", "{\"api_key\":\"sk_guess" + i + "\"}", from(address))
                    .expect(401);
        }
        instance.api()
                .send("POST", "/auth/session", "{\"api_key\":\"sk_guess\"}", from(address))
                .expect(429);
    }

    private static Map<String, String> from(String address) {
        return Map.of("X-Forwarded-For", address);
    }

    private static String unique(String prefix) {
        return prefix + Long.toString(System.nanoTime(), 36);
    }

    private static String newUserKey() {
        return newKeyOf(admin.post("/users", Map.of("username", "limited", "email", unique("l") + "@example.com"))
                .expect(201)
                .json()
                .get("id")
                .asLong());
    }

    private static String newKeyOf(long user) {
        return admin.post(
                        "/api-keys",
                        Map.of("name", "limited", "user_id", user, "scopes", List.of("links:read", "links:write")))
                .expect(201)
                .json()
                .get("key")
                .asString();
    }

    @Test
    void aScanOfUnknownCodesIsStoppedButKnownRedirectsNeverAre() {
        String scanner = "198.51.100." + (System.nanoTime() % 200 + 1);
        Api owner = app.api().withKey(keys.get(0));
        String code = owner.post("/urls", Map.of("original_url", "https://example.com/known"))
                .expect(201)
                .json()
                .get("short_code")
                .asString();

        for (int i = 0; i < 10; i++) {
            app.api().send("GET", "/" + unique("scan"), null, from(scanner)).expect(404);
        }
        Api.Response stopped =
                app.api().send("GET", "/" + unique("scan"), null, from(scanner)).expect(429);

        assertThat(Long.parseLong(stopped.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(stopped.header("RateLimit-Policy")).isEqualTo("\"unknown-codes\";q=10;w=60");
        assertThat(stopped.header("RateLimit")).startsWith("\"unknown-codes\";r=0;t=");
        for (int i = 0; i < 50; i++) {
            app.api().send("GET", "/" + code, null, from(scanner)).expect(302);
        }
        app.api()
                .send("GET", "/urls/" + code + "/redirect", null, from(scanner))
                .expect(302);
        app.api()
                .send("GET", "/" + unique("scan"), null, from("198.51.100.250"))
                .expect(404);
    }

    @Test
    void eachUserHasItsOwnWriteBudget() {
        Api first = app.api().withKey(keys.get(1));
        Api second = app.api().withKey(keys.get(2));

        for (int i = 0; i < WRITES; i++) {
            Api.Response created = first.post("/urls", Map.of("original_url", "https://example.com/w" + i))
                    .expect(201);
            assertThat(created.header("RateLimit")).isEqualTo("\"writes\";r=" + (WRITES - 1 - i) + ";t=60");
        }
        Api.Response refused = first.post("/urls", Map.of("original_url", "https://example.com/w6"))
                .expect(429);
        assertThat(refused.header("Retry-After")).isNotNull();
        first.get("/urls").expect(200);
        second.post("/urls", Map.of("original_url", "https://example.com/other"))
                .expect(201);
    }

    @Test
    void theKeysOfOneUserShareItsBudget() {
        Api first = app.api().withKey(oneUsersKeys.get(0));
        Api second = app.api().withKey(oneUsersKeys.get(1));

        for (int i = 0; i < WRITES; i++) {
            (i % 2 == 0 ? first : second)
                    .post("/urls", Map.of("original_url", "https://example.com/shared" + i))
                    .expect(201);
        }

        first.post("/urls", Map.of("original_url", "https://example.com/one-more"))
                .expect(429);
        second.post("/urls", Map.of("original_url", "https://example.com/one-more"))
                .expect(429);
    }

    @Test
    void signInAttemptsAreLimitedPerAddress() {
        String address = "203.0.113." + (System.nanoTime() % 200 + 1);
        guessesTillRefused(app, address);
        app.api()
                .send("POST", "/auth/session", "{\"api_key\":\"sk_guess\"}", from("203.0.113.251"))
                .expect(401);
    }

    @Test
    void anonymousCallersOfTheOpenModeDrawOnlyOnTheUnknownCodeAndSignInBudgets() {
        try (AppInstance open = AppInstance.start(limits("open", 2))) {
            for (int i = 0; i < 5; i++) {
                open.api()
                        .post("/users", Map.of("username", "open", "email", unique("o") + "@example.com"))
                        .expect(201);
            }
            String scanner = "198.51.100." + (System.nanoTime() % 200 + 1);
            for (int i = 0; i < 10; i++) {
                open.api().send("GET", "/" + unique("x"), null, from(scanner)).expect(404);
            }
            open.api().send("GET", "/" + unique("x"), null, from(scanner)).expect(429);

            // password guessing is limited in every mode: accounts exist in the open one too
            guessesTillRefused(open, "198.51.100." + (System.nanoTime() % 200 + 1));
        }
    }

    @Test
    void withRedisDownEachInstanceStillCounts() {
        Map<String, String> properties = limits("keys", 3);
        properties.put("spring.data.redis.url", "redis://127.0.0.1:1");
        try (AppInstance cut = AppInstance.start(properties)) {
            String address = "192.0.2." + (System.nanoTime() % 200 + 1);
            for (int i = 0; i < 10; i++) {
                cut.api().send("GET", "/" + unique("down"), null, from(address));
            }
            assertThat(cut.api()
                            .send("GET", "/" + unique("down"), null, from(address))
                            .status())
                    .isEqualTo(429);
        }
    }
}
