package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.SessionAge;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * API keys outlive the session that creates them, so a stolen session cookie must not be turned
 * into one: a password sign-in older than AUTH_FRESH_SIGN_IN (15 minutes here) must sign in again
 * first, on the page and through the API. The session's age is set in Redis.
 */
@AccountPagesContext
class FreshSignInTest {

    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient db;

    @Autowired
    private StringRedisTemplate redis;

    private String base;

    @BeforeEach
    void base() {
        base = "http://127.0.0.1:" + port;
    }

    private PageClient client() {
        return new PageClient(base, "198.51.100." + (ADDRESSES.incrementAndGet() % 250 + 1));
    }

    @Test
    void aPasswordSignInOlderThanTheLimitMustSignInAgainToCreateAKey() {
        PageClient admin = client();
        admin.signIn(AccountPagesContext.ADMIN_EMAIL, AccountPagesContext.ADMIN_PASSWORD);
        assertThat(admin.get("/-/settings/api-keys").body()).doesNotContain("id=\"sign-in-again\"");
        assertThat(admin.postJson("/api-keys", "{\"name\":\"fresh\",\"scopes\":[\"links:read\"]}")
                        .statusCode())
                .isEqualTo(201);

        SessionAge.setBack(redis, admin.cookie("shortener_session"), Duration.ofMinutes(16));
        String page = admin.get("/-/settings/api-keys").body();
        assertThat(page).contains("id=\"sign-in-again\"").doesNotContain("Create key");
        HttpResponse<String> byForm = admin.post("/-/settings/api-keys", "name", "stale-form", "scope", "links:read");
        assertThat(byForm.statusCode()).isEqualTo(403);
        assertThat(byForm.body()).contains("Sign in again");
        HttpResponse<String> byApi =
                admin.postJson("/api-keys", "{\"name\":\"stale-api\",\"scopes\":[\"links:read\"]}");
        assertThat(byApi.statusCode()).isEqualTo(403);
        assertThat(byApi.body()).contains("Sign in again to create a key");
        assertThat(keysNamed("stale-form") + keysNamed("stale-api")).isZero();

        admin.get("/-/login?next=/-/settings/api-keys");
        HttpResponse<String> again = admin.post(
                "/-/login",
                "email",
                AccountPagesContext.ADMIN_EMAIL,
                "password",
                AccountPagesContext.ADMIN_PASSWORD,
                "next",
                "/-/settings/api-keys");
        assertThat(admin.location(again)).isEqualTo("/-/settings/api-keys");
        admin.get("/-/settings/api-keys");
        HttpResponse<String> created =
                admin.post("/-/settings/api-keys", "name", "after-sign-in", "scope", "links:read");
        assertThat(admin.location(created)).isEqualTo("/-/settings/api-keys");
        assertThat(keysNamed("after-sign-in")).isOne();
    }

    private long keysNamed(String name) {
        return db.sql("SELECT count(*) FROM api_keys WHERE name = ?")
                .param(name)
                .query(Long.class)
                .single();
    }
}
