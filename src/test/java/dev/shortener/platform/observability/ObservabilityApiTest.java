package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Request ids, JSON access lines, SQL statement metrics, slow statements and N+1 detection, seen
 * from outside: real requests, the captured console output and the live {@code /metrics}.
 */
@ExtendWith(OutputCaptureExtension.class)
@Import(ObservabilityApiTest.RepeatedQueries.class)
@TestPropertySource(
        properties = {
            "shortener.logging.format=json",
            "shortener.observability.sql-slow-threshold=150ms",
            "shortener.observability.sql-n-plus-one-threshold=10"
        })
class ObservabilityApiTest extends ApiTest {

    @Autowired
    ApplicationContext context;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "s3cret-parameter-value";

    /** A test-only endpoint running one statement shape as often as asked, like an N+1 loop would. */
    @RestController
    static class RepeatedQueries {

        private final JdbcClient db;

        RepeatedQueries(JdbcClient db) {
            this.db = db;
        }

        @GetMapping("/test-only/repeated-queries")
        Map<String, Integer> repeat(@RequestParam int times) {
            for (int i = 0; i < times; i++) {
                db.sql("SELECT count(*) FROM users WHERE id = ?")
                        .param(i)
                        .query(Long.class)
                        .single();
            }
            return Map.of("statements", times);
        }

        /** A stream that ends after its handler returned, as the import progress stream does. */
        @GetMapping("/test-only/stream")
        SseEmitter stream() {
            SseEmitter emitter = new SseEmitter();
            CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    emitter.send(SseEmitter.event().name("done").data("{}"));
                    emitter.complete();
                } catch (IOException e) {
                    emitter.completeWithError(e);
                }
            });
            return emitter;
        }

        @GetMapping("/test-only/slow-query")
        Map<String, String> slow() {
            db.sql("SELECT pg_sleep(0.3), 'inline literal' AS label, ?::text AS secret")
                    .param(SECRET)
                    .query((rs, n) -> n)
                    .list();
            return Map.of("status", "done");
        }
    }

    @Test
    void aSaneRequestIdIsEchoedAndTagsTheAccessLine(CapturedOutput output) {
        String id = unique("req-");

        var response =
                api.send("GET", "/users/424242", Map.of("X-Request-Id", id)).expect(404);

        assertThat(response.header("X-Request-Id")).isEqualTo(id);
        JsonNode line = lineOf(output, id, "logger", "dev.shortener.access");
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(line.get("method").asString()).isEqualTo("GET");
        assertThat(line.get("route").asString()).isEqualTo("/users/{id}");
        assertThat(line.get("status").asInt()).isEqualTo(404);
        assertThat(line.get("duration_ms").isNumber()).isTrue();
        assertThat(line.get("db_statements").asInt()).isEqualTo(1);
        assertThat(line.get("db_time_ms").asDouble()).isPositive();
        assertThat(line.get("message").asString()).isEqualTo("GET /users/{id} 404 " + line.get("duration_ms") + " ms");
    }

    @Test
    void aStreamGetsItsAccessLineWhenItEnds(CapturedOutput output) {
        String id = unique("req-");

        var response =
                api.send("GET", "/test-only/stream", Map.of("X-Request-Id", id)).expect(200);

        assertThat(response.body()).contains("event:done");
        JsonNode line = lineOf(output, id, "logger", "dev.shortener.access");
        assertThat(line.get("route").asString()).isEqualTo("/test-only/stream");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(output.getAll()).doesNotContain("onComplete() call failed");
    }

    @Test
    void withoutAnOtlpEndpointNothingIsTracedOrExported() {
        assertThat(context.getBean(Traces.class).enabled()).isFalse();
        assertThat(context.getBean(Sampler.class).getDescription())
                .isEqualTo(Sampler.alwaysOff().getDescription());
        assertThat(context.getBeansOfType(SpanExporter.class)).isEmpty();
    }

    @Test
    void anInsaneRequestIdIsReplacedByAGeneratedOne() {
        var response = api.send("GET", "/health", Map.of("X-Request-Id", "x".repeat(65)));
        var absent = api.get("/health");

        assertThat(response.header("X-Request-Id")).matches("[0-9a-f]{32}");
        assertThat(absent.header("X-Request-Id")).matches("[0-9a-f]{32}").isNotEqualTo(response.header("X-Request-Id"));
    }

    @Test
    void unknownPathsAreLoggedUnderOneRouteAndProbesOnlyAtDebug(CapturedOutput output) {
        String unknown = unique("req-");
        String probe = unique("req-");

        api.send("GET", "/no/such/" + unknown, Map.of("X-Request-Id", unknown)).expect(404);
        api.send("GET", "/health", Map.of("X-Request-Id", probe)).expect(200);

        JsonNode line =
                awaitLine(output, json -> unknown.equals(json.path("request_id").asString()));
        assertThat(line.get("route").asString()).isEqualTo("NOT_FOUND");
        assertThat(jsonLines(output))
                .noneMatch(json -> probe.equals(json.path("request_id").asString()));
    }

    @Test
    void aRequestRunningOneStatementTwentyTimesIsReportedAsNPlusOne(CapturedOutput output) {
        double before = sample("shortener_sql_n_plus_one_total", "");
        double requestsBefore = sample("shortener_sql_statements_per_request_count", "");
        String id = unique("req-");

        api.send("GET", "/test-only/repeated-queries?times=20", Map.of("X-Request-Id", id))
                .expect(200);

        JsonNode warning = lineOf(output, id, "event", "n_plus_one");
        assertThat(warning.get("level").asString()).isEqualTo("WARN");
        assertThat(warning.get("count").asInt()).isEqualTo(20);
        assertThat(warning.get("route").asString()).isEqualTo("/test-only/repeated-queries");
        assertThat(warning.get("sql").asString()).isEqualTo("SELECT count(*) FROM users WHERE id = ?");
        assertThat(warning.get("message").asString()).startsWith("n_plus_one:");
        JsonNode access = lineOf(output, id, "logger", "dev.shortener.access");
        assertThat(access.get("db_statements").asInt()).isEqualTo(20);
        assertThat(sample("shortener_sql_n_plus_one_total", "")).isEqualTo(before + 1);
        assertThat(sample("shortener_sql_statements_per_request_count", "")).isGreaterThan(requestsBefore);
        assertThat(sample("shortener_sql_statements_per_request_bucket", "le=\"10.0\""))
                .isLessThan(sample("shortener_sql_statements_per_request_bucket", "le=\"20.0\""));
    }

    @Test
    void aRequestAtTheThresholdIsNotAnNPlusOne(CapturedOutput output) {
        double before = sample("shortener_sql_n_plus_one_total", "");
        String id = unique("req-");

        api.send("GET", "/test-only/repeated-queries?times=10", Map.of("X-Request-Id", id))
                .expect(200);

        lineOf(output, id, "logger", "dev.shortener.access");
        assertThat(jsonLines(output))
                .noneMatch(json -> id.equals(json.path("request_id").asString())
                        && "n_plus_one".equals(json.path("event").asString()));
        assertThat(sample("shortener_sql_n_plus_one_total", "")).isEqualTo(before);
    }

    @Test
    void aSlowStatementIsLoggedWithItsTextButWithoutItsParameters(CapturedOutput output) {
        double selects = sample("shortener_sql_statements_seconds_count", "operation=\"select\"");
        String id = unique("req-");

        api.send("GET", "/test-only/slow-query", Map.of("X-Request-Id", id)).expect(200);

        JsonNode slow = lineOf(output, id, "event", "slow_sql");
        assertThat(slow.get("level").asString()).isEqualTo("WARN");
        assertThat(slow.get("logger").asString()).isEqualTo("dev.shortener.sql");
        assertThat(slow.get("operation").asString()).isEqualTo("select");
        assertThat(slow.get("duration_ms").asDouble()).isGreaterThanOrEqualTo(150.0);
        assertThat(slow.get("sql").asString()).isEqualTo("SELECT pg_sleep(?), ? AS label, ?::text AS secret");
        assertThat(output.getAll()).doesNotContain(SECRET).doesNotContain("inline literal");
        assertThat(sample("shortener_sql_statements_seconds_count", "operation=\"select\""))
                .isGreaterThan(selects);
        assertThat(sample("shortener_sql_statements_seconds_bucket", "operation=\"select\",le=\"0.25\""))
                .isLessThan(sample("shortener_sql_statements_seconds_bucket", "operation=\"select\",le=\"0.5\""));
    }

    /** The value of the first sample of a family whose labels contain {@code labelText}. */
    private double sample(String name, String labelText) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(management.get("/metrics").expect(200).body());
        while (matcher.find()) {
            if (matcher.group(1).contains(labelText)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        throw new AssertionError("no sample " + name + " with " + labelText);
    }

    /** The line of request {@code id} whose {@code field} is {@code value}, once it is written. */
    static JsonNode lineOf(CapturedOutput output, String id, String field, String value) {
        return awaitLine(
                output,
                json -> id.equals(json.path("request_id").asString())
                        && value.equals(json.path(field).asString()));
    }

    /** The access line is written after the response is sent: wait a little for it. */
    private static JsonNode awaitLine(CapturedOutput output, Predicate<JsonNode> wanted) {
        return await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> jsonLines(output).stream().filter(wanted).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    private static List<JsonNode> jsonLines(CapturedOutput output) {
        return output.getAll()
                .lines()
                .filter(line -> line.startsWith("{"))
                .map(JSON::readTree)
                .toList();
    }
}
