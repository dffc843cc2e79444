package dev.shortener.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * An admin takes a link down: every instance answers 410 within a second, a person's browser gets
 * a page and an API client a problem, the owner cannot undo it, and putting it back restores it.
 */
class TakedownTest extends ApiTest {

    private static final Duration LIMIT = Duration.ofSeconds(1);

    private static AppInstance second;

    @BeforeAll
    static void startSecondInstance() {
        second = AppInstance.start(Map.of());
    }

    @AfterAll
    static void stopSecondInstance() {
        second.close();
    }

    private JsonNode cachedEverywhere() {
        JsonNode link = api.post("/urls", Map.of("original_url", "https://example.com/" + unique("down")))
                .expect(201)
                .json();
        for (Api instance : new Api[] {api, second.api()}) {
            instance.get("/" + link.get("short_code").asString()).expect(302);
            instance.get("/" + link.get("short_code").asString()).expect(302);
        }
        return link;
    }

    private static void awaitStatus(Api instance, String path, int status) {
        await().atMost(LIMIT)
                .pollInterval(Duration.ofMillis(25))
                .until(() -> instance.get(path).status() == status);
    }

    @Test
    void aBlockedLinkIsGoneOnEveryInstanceWithinASecondUntilItIsPutBack() {
        JsonNode link = cachedEverywhere();
        String path = "/" + link.get("short_code").asString();
        long id = link.get("id").asLong();

        api.put("/urls/" + id + "/block", Map.of("reason", "phishing")).expect(200);

        awaitStatus(api, path, 410);
        awaitStatus(second.api(), path, 410);
        api.get(path).expect(410);
        second.api()
                .get("/urls/" + link.get("short_code").asString() + "/redirect")
                .expect(410);
        api.put("/urls/" + id, Map.of("is_active", true)).expect(200);
        api.get(path).expect(410);
        assertThat(api.get("/blocked-links").expect(200).body()).contains("phishing");

        api.delete("/urls/" + id + "/block").expect(204);

        awaitStatus(api, path, 302);
        awaitStatus(second.api(), path, 302);
        JsonNode history = api.get("/events?url_id=" + id).expect(200).json();
        assertThat(history.toString()).contains("\"event_type\":\"blocked\"", "\"reason\":\"phishing\"", "unblocked");
        api.delete("/urls/" + id + "/block").expect(404);
    }

    @Test
    void aBrowserGetsAPageAndAnApiClientAProblem() {
        JsonNode link = cachedEverywhere();
        String path = "/" + link.get("short_code").asString();
        api.put("/urls/" + link.get("id").asLong() + "/block", Map.of("reason", "malware"))
                .expect(200);
        awaitStatus(api, path, 410);

        Api.Response page = api.send("GET", path, null, Map.of("Accept", "text/html,application/xhtml+xml"));
        assertThat(page.status()).isEqualTo(410);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).isEqualTo("default-src 'none'");
        assertThat(page.body()).contains("This link was taken down").doesNotContain("<script");
        api.send("GET", path, null, Map.of("Accept", "application/json")).expect(410);

        Api.Response unknown = api.send("GET", "/" + unique("nolink"), null, Map.of("Accept", "text/html"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("This link does not exist");
    }

    @Test
    void anyoneReportsAbuseAndAnAdminResolvesItByTakingTheLinkDown() {
        JsonNode link = cachedEverywhere();
        String code = link.get("short_code").asString();
        JsonNode report = api.send(
                        "POST",
                        "/abuse-reports",
                        "{\"short_code\":\"" + code
                                + "\",\"reason\":\"fake bank login\",\"contact\":\"me@example.com\"}",
                        Map.of("X-Forwarded-For", "203.0.113.9"))
                .expect(201)
                .json();
        assertThat(report.get("url_id").asLong()).isEqualTo(link.get("id").asLong());
        api.post("/abuse-reports", Map.of("short_code", code)).expect(422);
        assertThat(api.post("/abuse-reports", Map.of("short_code", unique("nolink"), "reason", "spam"))
                        .expect(404)
                        .json()
                        .get("detail")
                        .asString())
                .startsWith("No link has the short code");
        assertThat(api.get("/abuse-reports").expect(200).body()).contains("fake bank login");

        api.post(
                        "/abuse-reports/" + report.get("id").asLong() + "/resolve",
                        Map.of("resolution", "phishing confirmed", "block", true))
                .expect(200);

        awaitStatus(second.api(), "/" + code, 410);
        assertThat(api.get("/abuse-reports").expect(200).body()).doesNotContain("fake bank login");
        assertThat(api.get("/abuse-reports?all=true").expect(200).body()).contains("phishing confirmed");
    }

    @Test
    void blockingNeedsAReasonAndAnExistingLink() {
        api.put("/urls/987654321/block", Map.of("reason", "x")).expect(404);
        long id = api.post("/urls", Map.of("original_url", "https://example.com/reasonless"))
                .expect(201)
                .json()
                .get("id")
                .asLong();
        api.put("/urls/" + id + "/block", Map.of()).expect(422);
        api.raw("PUT", "/urls/" + id + "/block", "reason", "text/plain").expect(400);
    }
}
