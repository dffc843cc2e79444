package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * The fast path (the valve, this test's instance) and Spring MVC behind the security filters (a
 * second instance with {@code REDIRECT_FAST_PATH=false}) answer the same redirect alike: status
 * and every header but those that differ by request.
 */
class RedirectPathsTest extends ApiTest {

    /** Values of their own per answer. */
    private static final Set<String> PER_REQUEST = Set.of("date", "x-request-id");

    private static AppInstance servletPath;

    @Autowired
    ApplicationContext context;

    @BeforeAll
    static void startWithoutTheFastPath() {
        servletPath = AppInstance.start(Map.of("shortener.redirect.fast-path", "false"));
    }

    @AfterAll
    static void stop() {
        servletPath.close();
    }

    private static Map<String, List<String>> headers(Api.Response response) {
        Map<String, List<String>> headers = new TreeMap<>();
        response.raw().headers().map().forEach((name, values) -> {
            if (!PER_REQUEST.contains(name.toLowerCase())) {
                headers.put(name.toLowerCase(), values);
            }
        });
        return headers;
    }

    @Test
    void bothPathsAnswerARedirectAlike() {
        Link link = new TestLinks(api, context).create(unique("both"), "https://example.com/both?q=1", true);
        for (String path : List.of("/" + link.shortCode(), "/urls/" + link.shortCode() + "/redirect")) {
            Api.Response fast = api.get(path);
            fast = api.get(path); // cached now: the valve answers
            Api.Response servlet = servletPath.api().get(path);

            assertThat(fast.status()).isEqualTo(302);
            assertThat(servlet.status()).isEqualTo(fast.status());
            assertThat(headers(servlet)).as(path).isEqualTo(headers(fast));
            assertThat(headers(fast))
                    .containsKeys(
                            "x-content-type-options",
                            "x-frame-options",
                            "cache-control",
                            "referrer-policy",
                            "content-security-policy")
                    .doesNotContainKey("strict-transport-security");
        }
    }

    @Test
    void theFastPathsHeadersSurviveTheResponsesAfterIt() {
        Link link = new TestLinks(api, context).create(unique("kept"), "https://example.com/kept", true);
        String policy = api.get("/health").header("Content-Security-Policy");
        for (int i = 0; i < 30; i++) {
            // Tomcat reuses the header slots of a redirect for the next answer on the connection
            assertThat(api.get("/" + link.shortCode()).expect(302).header("Content-Security-Policy"))
                    .isEqualTo(policy);
            api.get("/openapi.json").expect(200);
        }
    }

    @Test
    void behindTlsBothPathsSendHsts() {
        try (AppInstance tls = AppInstance.start(Map.of("shortener.http.hsts-max-age", "365d"))) {
            Link link = new TestLinks(tls.api(), tls.context()).create(unique("tls"), "https://example.com/tls", true);
            Api.Response api = tls.api().get("/health").expect(200);
            assertThat(api.header("Strict-Transport-Security")).isEqualTo("max-age=31536000; includeSubDomains");
            for (int i = 0; i < 30; i++) {
                // a value of 32 bytes or more, which Tomcat would write into were it shared
                assertThat(tls.api().get("/" + link.shortCode()).expect(302).header("Strict-Transport-Security"))
                        .isEqualTo("max-age=31536000; includeSubDomains");
                tls.api().get("/openapi.json").expect(200);
            }
        }
    }

    @Test
    void bothPathsAnswerAnUnknownCodeAlike() {
        Api.Response fast = api.get("/" + unique("nope"));
        Api.Response servlet = servletPath.api().get("/" + unique("nope"));

        assertThat(fast.status()).isEqualTo(404);
        assertThat(servlet.status()).isEqualTo(404);
        assertThat(headers(servlet).keySet()).isEqualTo(headers(fast).keySet());
    }
}
