package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** Import jobs over HTTP for the tests: uploads with request headers, and waiting for a job's end. */
public final class Jobs {

    public static final Map<String, String> RESPOND_ASYNC = Map.of("Prefer", "respond-async");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Jobs() {}

    /** A multipart upload of {@code entity}.csv to {@code /{entity}/bulk}, with extra headers. */
    public static Api.Response upload(Api api, String entity, String csv, Map<String, String> headers) {
        String boundary = "----shortener" + UUID.randomUUID();
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + entity + ".csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n"
                + csv + "\r\n--" + boundary + "--\r\n";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.base() + "/" + entity + "/bulk"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response =
                    HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Api.Response(response.statusCode(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Submits a job and returns its id, checking the 202 answer. */
    public static long submit(Api api, String entity, String csv) {
        Api.Response accepted = upload(api, entity, csv, RESPOND_ASYNC).expect(202);
        long id = accepted.json().get("id").asLong();
        assertThat(accepted.header("Location")).isEqualTo("/imports/" + id);
        return id;
    }

    /** Polls {@code GET /imports/{id}} until the job is completed or failed. */
    public static JsonNode awaitFinished(Api api, long id, Duration timeout) {
        return await("job " + id + " finished")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> api.get("/imports/" + id).expect(200).json(), Jobs::finished);
    }

    public static boolean finished(JsonNode job) {
        String state = job.get("state").asString();
        return state.equals("completed") || state.equals("failed");
    }

    /** A users file without ids: {@code rows} users whose e-mail addresses start with {@code tag}. */
    public static String users(String tag, int rows) {
        StringJoiner csv = new StringJoiner("\n", "username,email\n", "\n");
        for (int i = 1; i <= rows; i++) {
            csv.add("user" + i + "," + tag + i + "@example.com");
        }
        return csv.toString();
    }
}
