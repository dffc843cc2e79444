package dev.shortener.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * With {@code AUTH_MODE} unset, clients on this machine get the open contract and every other
 * address needs a key; the address is the one after the trusted-proxy rules (loopback here).
 */
@ExtendWith(OutputCaptureExtension.class)
class AuthModeTest extends ApiTest {

    private static final Map<String, String> REMOTE = Map.of("X-Forwarded-For", "203.0.113.7");
    private static final String USER = "{\"username\":\"remote\",\"email\":\"%s@example.com\"}";

    @Test
    void unsetModeIsOpenToLoopbackClientsOnly() {
        api.send("POST", "/users", USER.formatted(unique("local")), Map.of()).expect(201);

        Api.Response remote = api.send("POST", "/users", USER.formatted(unique("remote")), REMOTE)
                .expect(401);
        assertThat(remote.header("WWW-Authenticate")).startsWith("Bearer");
        api.send("GET", "/users", null, REMOTE).expect(401);
        api.send("GET", "/health", null, REMOTE).expect(200);
    }

    @Test
    void aWebPageInALocalBrowserIsNotTheLocalUser() {
        String user = USER.formatted(unique("page"));
        api.send("POST", "/users", user, Map.of("Sec-Fetch-Site", "cross-site")).expect(401);
        api.send("POST", "/users", user, Map.of("Origin", "https://evil.example"))
                .expect(401);
        api.send("POST", "/users", user, Map.of("Origin", "http://localhost:8080", "Sec-Fetch-Site", "same-origin"))
                .expect(201);
        assertThat(OpenAccess.localName("localhost")).isTrue();
        assertThat(OpenAccess.localName("[::1]")).isTrue();
        assertThat(OpenAccess.localName("rebound.example")).isFalse();
    }

    @Test
    void openModeLetsEveryAddressInAndSaysSo(CapturedOutput output) {
        try (AppInstance open = AppInstance.start(Map.of("shortener.auth.mode", "open"))) {
            open.api()
                    .send("POST", "/users", USER.formatted(unique("anywhere")), REMOTE)
                    .expect(201);
        }
        assertThat(output.getAll()).contains("AUTH_MODE=open");
    }

    @Test
    void keysModeRefusesEvenLoopback() {
        try (AppInstance keys = AppInstance.start(Map.of("shortener.auth.mode", "keys"))) {
            keys.api()
                    .post("/users", Map.of("username", "x", "email", unique("x") + "@example.com"))
                    .expect(401);
        }
    }

    @Test
    void settingsThatCannotBeSafeStopTheStart() {
        Duration ttl = Duration.ofMillis(500);
        Duration flush = Duration.ofSeconds(30);
        assertThatThrownBy(
                        () -> new AuthSettings("keyz", null, ttl, flush, Duration.ofHours(8), Duration.ofMinutes(15)))
                .hasMessageContaining("AUTH_MODE");
        assertThatThrownBy(() ->
                        new AuthSettings("keys", "short", ttl, flush, Duration.ofHours(8), Duration.ofMinutes(15)))
                .hasMessageContaining("ADMIN_API_KEY");
        assertThatThrownBy(() -> new AuthSettings(
                        "keys", null, Duration.ofSeconds(5), flush, Duration.ofHours(8), Duration.ofMinutes(15)))
                .hasMessageContaining("1 s");
        assertThat(new AuthSettings(" KEYS ", "", ttl, flush, Duration.ofHours(8), Duration.ofMinutes(15)).parsedMode())
                .isEqualTo(AuthSettings.Mode.KEYS);
        assertThat(new AuthSettings("", null, ttl, flush, Duration.ofHours(8), Duration.ofMinutes(15)).parsedMode())
                .isEqualTo(AuthSettings.Mode.LOOPBACK_OPEN);
    }

    @Test
    void loopbackIsEverySpellingOfThisMachine() {
        assertThat(OpenAccess.loopback("127.0.0.1")).isTrue();
        assertThat(OpenAccess.loopback("127.10.0.3")).isTrue();
        assertThat(OpenAccess.loopback("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(OpenAccess.loopback("::1")).isTrue();
        assertThat(OpenAccess.loopback("::ffff:127.0.0.1")).isTrue();
        assertThat(OpenAccess.loopback("10.0.0.1")).isFalse();
        assertThat(OpenAccess.loopback("1270::1")).isFalse();
        assertThat(OpenAccess.loopback("203.0.113.7")).isFalse();
    }
}
