package dev.shortener.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.AppInstance;
import dev.shortener.KeysMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** A key's life: issued once, stored as a hash, scoped, used, expired, revoked everywhere. */
@KeysMode
@ExtendWith(OutputCaptureExtension.class)
class ApiKeyLifecycleTest {

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient db;

    private Api anonymous;
    private Keys keys;

    @BeforeEach
    void connect() {
        anonymous = new Api("http://127.0.0.1:" + port);
        keys = new Keys(anonymous);
    }

    @Test
    void theSecretIsShownOnceAndStoredOnlyAsAHash() throws Exception {
        long user = keys.newUser();
        JsonNode issued = keys.newKey(user, "links:read");
        String secret = issued.get("key").asString();

        assertThat(secret).matches("sk_[0-9A-Za-z]{43}");
        assertThat(issued.get("prefix").asString()).isEqualTo(secret.substring(0, 11));
        assertThat(issued.get("scopes").toString()).isEqualTo("[\"links:read\"]");
        assertThat(issued.get("user_id").asLong()).isEqualTo(user);
        Map<String, Object> row = db.sql("SELECT * FROM api_keys WHERE id = ?")
                .param(issued.get("id").asLong())
                .query()
                .singleRow();
        assertThat(row.values())
                .as("no column holds the secret or its random part")
                .noneMatch(value -> String.valueOf(value).contains(secret.substring(11)));
        assertThat((byte[]) row.get("secret_hash"))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        String listed = anonymous.withKey(secret).get("/api-keys").expect(200).body();
        assertThat(listed).contains(issued.get("prefix").asString()).doesNotContain(secret);
    }

    @Test
    void keysNeverReachTheLogs(CapturedOutput output) {
        String secret = keys.userKey(keys.newUser());
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        List<String> verbose = List.of("dev.shortener", "org.springframework.security", "org.springframework.web");
        verbose.forEach(logger -> logging.setLogLevel(logger, LogLevel.DEBUG));
        try {
            anonymous.withKey(secret).get("/urls?per_page=7").expect(200);
            anonymous.withKey(secret + "x").get("/urls").expect(401);
            anonymous.withKey(KeysMode.ADMIN_KEY).get("/users/987654321").expect(404);
        } finally {
            verbose.forEach(logger -> logging.setLogLevel(logger, null));
        }

        assertThat(output.getAll())
                .as("the requests were logged, with every detail but the keys")
                .contains("per_page=7")
                .doesNotContain(secret)
                .doesNotContain(KeysMode.ADMIN_KEY);
    }

    @Test
    void aKeyActsForItsUserWithinItsScopes() {
        long user = keys.newUser();
        Api reader =
                anonymous.withKey(keys.newKey(user, "links:read").get("key").asString());

        reader.get("/urls").expect(200);
        Api.Response refused = reader.post("/urls", Map.of("original_url", "https://example.com/nope"))
                .expect(403);
        assertThat(refused.header("WWW-Authenticate")).contains("insufficient_scope");
        reader.get("/events").expect(403);
        assertThat(reader.get("/users/me").expect(200).json().get("id").asLong())
                .isEqualTo(user);
    }

    @Test
    void aUserCannotWidenItsOwnRights() {
        long user = keys.newUser();
        long other = keys.newUser();
        Api owner = anonymous.withKey(
                keys.newKey(user, "links:read", "links:write").get("key").asString());

        owner.post("/api-keys", Map.of("name", "more", "scopes", List.of("stats:read")))
                .expect(403);
        owner.post("/api-keys", Map.of("name", "admin", "scopes", List.of("admin")))
                .expect(403);
        owner.post("/api-keys", Map.of("name", "theirs", "scopes", List.of("links:read"), "user_id", other))
                .expect(403);
        owner.post("/urls", Map.of("original_url", "https://example.com/theirs", "user_id", other))
                .expect(403);
        String narrower = owner.post("/api-keys", Map.of("name", "read only", "scopes", List.of("links:read")))
                .expect(201)
                .json()
                .get("key")
                .asString();
        anonymous.withKey(narrower).get("/urls").expect(200);
    }

    @Test
    void aKeyMadeWithAKeyLivesNoLongerThanIt() {
        long user = keys.newUser();
        OffsetDateTime expiry = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).truncatedTo(ChronoUnit.SECONDS);
        String until = expiry.toString();
        String brief = keys.admin()
                .post(
                        "/api-keys",
                        Map.of("name", "brief", "scopes", List.of("links:read"), "user_id", user, "expires_at", until))
                .expect(201)
                .json()
                .get("key")
                .asString();

        JsonNode minted = anonymous
                .withKey(brief)
                .post("/api-keys", Map.of("name", "forever", "scopes", List.of("links:read")))
                .expect(201)
                .json();

        // Compared as times: the text of a whole minute has no seconds ("21:10", not "21:10:00").
        assertThat(LocalDateTime.parse(minted.get("expires_at").asString())).isEqualTo(expiry.toLocalDateTime());
    }

    @Test
    void anExpiryWithoutAnOffsetIsUtcAsTheApiWritesIt() {
        long user = keys.newUser();
        String written = LocalDateTime.now(ZoneOffset.UTC)
                .plusDays(2)
                .truncatedTo(ChronoUnit.SECONDS)
                .toString();

        JsonNode issued = keys.admin()
                .post(
                        "/api-keys",
                        Map.of("name", "utc", "scopes", List.of("links:read"), "user_id", user, "expires_at", written))
                .expect(201)
                .json();

        assertThat(LocalDateTime.parse(issued.get("expires_at").asString())).isEqualTo(LocalDateTime.parse(written));
    }

    @Test
    void headIsAnsweredAsGet() {
        Api reader = anonymous.withKey(
                keys.newKey(keys.newUser(), "links:read").get("key").asString());
        String code = keys.newLink(keys.newUser()).get("short_code").asString();

        assertThat(anonymous.send("HEAD", "/health", Map.of()).status()).isEqualTo(200);
        assertThat(anonymous.send("HEAD", "/" + code, Map.of()).status()).isEqualTo(302);
        assertThat(reader.send("HEAD", "/urls", Map.of()).status()).isEqualTo(200);
        assertThat(anonymous.send("HEAD", "/urls", Map.of()).status()).isEqualTo(401);
        assertThat(reader.send("HEAD", "/users", Map.of()).status()).isEqualTo(403);
    }

    @Test
    void badKeyRequestsAreFieldErrors() {
        long user = keys.newUser();
        Api admin = keys.admin();

        admin.post("/api-keys", Map.of("name", "x", "scopes", List.of("links:delete"), "user_id", user))
                .expect(422);
        admin.post("/api-keys", Map.of("name", "x", "scopes", List.of(), "user_id", user))
                .expect(422);
        admin.post("/api-keys", Map.of("scopes", List.of("links:read"), "user_id", user))
                .expect(422);
        admin.post(
                        "/api-keys",
                        Map.of(
                                "name",
                                "x",
                                "scopes",
                                List.of("links:read"),
                                "user_id",
                                user,
                                "expires_at",
                                "2001-01-01T00:00:00Z"))
                .expect(422);
        admin.post("/api-keys", Map.of("name", "x", "scopes", List.of("links:read")))
                .expect(422);
        assertThat(admin.post("/api-keys", Map.of("scopes", List.of("links:read"), "user_id", user))
                        .expect(422)
                        .json()
                        .get("errors")
                        .get("name")
                        .asString())
                .isEqualTo("is required");
        admin.post(
                        "/api-keys",
                        Map.of("name", "x", "scopes", List.of("links:read"), "user_id", user, "expires_at", 1893456000))
                .expect(422);
        JsonNode every = admin.post(
                        "/api-keys",
                        Map.of("name", " ", "scopes", List.of("links:read", "links:delete"), "expires_at", "tomorrow"))
                .expect(422)
                .json();
        assertThat(every.get("errors").get("name").asString()).isEqualTo("must not be empty");
        assertThat(every.get("errors").get("scopes").asString())
                .isEqualTo("must be an array of links:read, links:write, stats:read, admin");
        assertThat(every.get("errors").get("expires_at").asString()).startsWith("must be an ISO-8601 date");
        admin.post("/api-keys", Map.of("name", "x", "scopes", List.of("links:read"), "user_id", 987654321))
                .expect(404);
        admin.raw("POST", "/api-keys", "not json", "text/plain").expect(400);
    }

    @Test
    void anExpiredKeyIsRefused() {
        long user = keys.newUser();
        String soon = OffsetDateTime.now(ZoneOffset.UTC)
                .plusSeconds(3)
                .truncatedTo(ChronoUnit.SECONDS)
                .toString();
        JsonNode issued = keys.admin()
                .post(
                        "/api-keys",
                        Map.of("name", "brief", "scopes", List.of("links:read"), "user_id", user, "expires_at", soon))
                .expect(201)
                .json();
        Api brief = anonymous.withKey(issued.get("key").asString());

        brief.get("/urls").expect(200);
        await().atMost(Duration.ofSeconds(6)).until(() -> brief.get("/urls").status() == 401);
    }

    @Test
    void lastUseIsWrittenInTheBackground() {
        JsonNode issued = keys.newKey(keys.newUser(), "links:read");
        anonymous.withKey(issued.get("key").asString()).get("/urls").expect(200);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> db.sql("SELECT last_used_at IS NOT NULL FROM api_keys WHERE id = ?")
                        .param(issued.get("id").asLong())
                        .query(Boolean.class)
                        .single());
    }

    @Test
    void aRevokedKeyFailsOnEveryInstanceWithinOneSecond() {
        JsonNode issued = keys.newKey(keys.newUser(), "links:read");
        String secret = issued.get("key").asString();
        try (AppInstance second = AppInstance.start(
                Map.of("shortener.auth.mode", "keys", "shortener.auth.admin-api-key", KeysMode.ADMIN_KEY))) {
            Api here = anonymous.withKey(secret);
            Api there = second.api().withKey(secret);
            here.get("/urls").expect(200);
            there.get("/urls").expect(200);

            keys.admin().delete("/api-keys/" + issued.get("id").asLong()).expect(204);

            here.get("/urls").expect(401);
            await().atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> there.get("/urls").status() == 401);
            assertThat(keys.admin().get("/api-keys").body())
                    .doesNotContain(issued.get("prefix").asString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/xml", "application/x-www-form-urlencoded", ""})
    void aBodyThatIsNotAJsonObjectIsStill400(String contentType) {
        keys.admin()
                .raw("POST", "/users", "\"oops\"", contentType.isEmpty() ? null : contentType)
                .expect(400);
        keys.admin()
                .raw("POST", "/urls", "<url/>", contentType.isEmpty() ? null : contentType)
                .expect(400);
    }
}
