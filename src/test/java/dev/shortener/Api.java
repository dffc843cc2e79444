package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the tests: real requests, JSON answers. */
public final class Api {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String base;
    private final Map<String, String> defaults;

    public Api(String base) {
        this(base, Map.of());
    }

    private Api(String base, Map<String, String> defaults) {
        this.base = base;
        this.defaults = defaults;
    }

    /** The same client, sending this header with every request (a credential, say). */
    public Api with(String header, String value) {
        Map<String, String> headers = new LinkedHashMap<>(defaults);
        headers.put(header, value);
        return new Api(base, Map.copyOf(headers));
    }

    /** The same client with an API key. */
    public Api withKey(String key) {
        return with("Authorization", "Bearer " + key);
    }

    public String base() {
        return base;
    }

    /** An HTTP answer with its body parsed as JSON where it is JSON. */
    public record Response(int status, HttpResponse<String> raw) {

        public JsonNode json() {
            return JSON.readTree(raw.body());
        }

        public String body() {
            return raw.body();
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        /**
         * The JSON routes the pages' script calls (passkey ceremonies): their own refusals are problem
         * details, the security rules' refusals pages like every page's.
         */
        private static final Pattern PAGE_SCRIPT_ROUTES =
                Pattern.compile("/-/(login/passkey|settings/passkeys)(/options)?");

        /** Asserts the status and, for errors, the problem-details shape. */
        public Response expect(int expected) {
            assertThat(status)
                    .as(
                            "status of %s %s: %s",
                            raw.request().method(), raw.request().uri(), raw.body())
                    .isEqualTo(expected);
            String path = raw.request().uri().getPath();
            if (expected >= 400
                    && expected != 401
                    && (path.equals("/") || path.startsWith("/-/"))
                    && !(PAGE_SCRIPT_ROUTES.matcher(path).matches()
                            && header("Content-Type").startsWith("application/problem+json"))) {
                // the web application's pages answer people with a page, never a trace (a refused
                // API key is the API's 401, whatever the path)
                assertThat(header("Content-Type")).startsWith("text/html");
                assertThat(raw.body()).contains("<h1").doesNotContain("Exception", "at dev.shortener");
            } else if (expected >= 400) {
                assertThat(header("Content-Type")).startsWith("application/problem+json");
                JsonNode problem = json();
                assertThat(problem.get("status").asInt()).isEqualTo(expected);
                assertThat(problem.get("type").asString()).startsWith("urn:shortener:problem:");
                assertThat(problem.get("title").asString()).isNotBlank();
                assertThat(problem.get("detail").asString()).isNotBlank();
                assertThat(problem.get("error").asString()).isNotBlank();
            }
            return this;
        }
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    public Response post(String path, Object json) {
        return sendJson("POST", path, json);
    }

    public Response put(String path, Object json) {
        return sendJson("PUT", path, json);
    }

    /** Sends a raw body with the given Content-Type (or none when null). */
    public Response raw(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = request(path).method(method, BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request);
    }

    public Response send(String method, String path, Map<String, String> headers) {
        return send(method, path, null, headers);
    }

    /** Any request: a JSON body (or none) and extra headers. */
    public Response send(String method, String path, @Nullable String json, Map<String, String> headers) {
        HttpRequest.Builder request =
                request(path).method(method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::setHeader);
        return send(request);
    }

    /** A multipart/form-data upload of one file part. */
    public Response upload(String path, String field, String filename, String content) {
        String boundary = "----shortener" + UUID.randomUUID();
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: text/csv\r\n\r\n"
                + content + "\r\n--" + boundary + "--\r\n";
        BodyPublisher publisher = BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        return send(request(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(publisher));
    }

    private Response sendJson(String method, String path, Object json) {
        String body = json instanceof String s ? s : JSON.writeValueAsString(json);
        return raw(method, path, body, "application/json");
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response =
                    HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofString());
            return new Response(response.statusCode(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request to {@code path} with the default headers; explicit ones set later replace them. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        defaults.forEach(request::setHeader);
        return request;
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }
}
