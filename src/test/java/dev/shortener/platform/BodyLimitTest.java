package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Bodies are small JSON objects or forms everywhere but the import uploads: a large one is a 413,
 * before anything reads it, and an upload sent anywhere else is parsed no further than that limit.
 */
class BodyLimitTest extends ApiTest {

    private static String user(int padding) {
        return "{\"username\":\"" + "a".repeat(padding) + "\",\"email\":\"big@example.com\"}";
    }

    @Test
    void aBodyPastTheLimitIsRefusedWhateverItsContentType() {
        api.raw("POST", "/users", user(70_000), "application/json").expect(413);
        api.raw("PUT", "/urls/1", user(70_000), "text/plain").expect(413);
        api.raw("POST", "/users", user(10).replace("big@", "small" + System.nanoTime() + "@"), "application/json")
                .expect(201);
    }

    @Test
    void aBodyWithoutALengthIsCutAtTheLimit() throws Exception {
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(api.base() + "/users"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(user(200_000).getBytes(StandardCharsets.UTF_8))))
                .timeout(Duration.ofSeconds(30))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(chunked, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void aFormPastTheLimitIsRefusedBeforeSignInReadsItsToken() {
        String form = "_csrf=x&email=a%40example.com&password=" + "p".repeat(70_000);

        api.raw("POST", "/-/login", form, "application/x-www-form-urlencoded").expect(413);
        api.raw("POST", "/-/signup", form, "application/x-www-form-urlencoded").expect(413);
    }

    @Test
    void onlyTheImportRoutesTakeUploads() {
        String csv = "username,email\n" + "x".repeat(100_000) + ",big-upload@example.com\n";
        api.upload("/users/bulk", "file", "users.csv", csv).expect(422);
        api.upload("/users", "file", "users.csv", "username,email\na,a@example.com\n")
                .expect(400);
        api.upload("/urls", "file", "urls.csv", csv).expect(413);
    }
}
