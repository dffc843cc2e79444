package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.TestLinks;
import dev.shortener.platform.observability.OtlpReceiver.ReceivedSpan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Traces exported over OTLP to a local receiver: an API request with its JDBC statements, a
 * redirect of the fast path with its Redis command, the trace id in the access line and as an
 * exemplar of the latency histogram.
 */
@ExtendWith(OutputCaptureExtension.class)
class TracingApiTest extends ApiTest {

    private static final OtlpReceiver RECEIVER = start();

    @Autowired
    ApplicationContext context;

    private static OtlpReceiver start() {
        try {
            return OtlpReceiver.start(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void tracing(DynamicPropertyRegistry properties) {
        properties.add("shortener.tracing.otlp-endpoint", RECEIVER::endpoint);
        properties.add("shortener.tracing.redirect-sample", () -> "1.0");
        properties.add("management.opentelemetry.tracing.export.schedule-delay", () -> "100ms");
        properties.add("shortener.logging.format", () -> "json");
    }

    @AfterAll
    static void stop() {
        RECEIVER.close();
    }

    @Test
    void anApiRequestIsOneTraceWithItsStatementsAndTheAccessLineNamesIt(CapturedOutput output) {
        String id = unique("trace-");

        api.send("POST", "/urls", "{\"original_url\":\"https://example.com/traced\"}", Map.of("X-Request-Id", id))
                .expect(201);

        JsonNode access = ObservabilityApiTest.lineOf(output, id, "logger", "dev.shortener.access");
        String traceId = access.get("trace_id").asString();
        assertThat(traceId).matches("[0-9a-f]{32}");
        // the server span ends last and may come in a later export than its statements
        List<ReceivedSpan> trace = awaitTrace(
                traceId,
                spans -> spans.stream().anyMatch(TracingApiTest::isLinkInsert)
                        && spans.stream().anyMatch(s -> s.kind().equals("SPAN_KIND_SERVER")));
        ReceivedSpan server = only(trace, s -> s.kind().equals("SPAN_KIND_SERVER"));
        assertThat(server.parentSpanId()).isEmpty();
        assertThat(server.service()).isEqualTo("shortener");
        assertThat(server.attributes()).containsEntry("uri", "/urls").containsEntry("status", "201");
        assertThat(access.get("span_id").asString()).isEqualTo(server.spanId());
        ReceivedSpan insert = trace.stream()
                .filter(TracingApiTest::isLinkInsert)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no INSERT span in " + trace));
        assertThat(descendsFrom(insert, server, trace)).isTrue();
    }

    @Test
    void aRedirectOfTheFastPathIsTracedWithItsRedisLookup() {
        var link = new TestLinks(api, context).create(unique("t"), "https://example.com/redirected", true);

        api.get("/" + link.shortCode()).expect(302);

        ReceivedSpan redirect = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> RECEIVER.spans().stream()
                                .filter(s -> s.name().equals("GET /{code}")
                                        && s.attributes().containsValue("/{code}"))
                                .filter(s -> s.attributes()
                                        .getOrDefault("http.response.status_code", "")
                                        .equals("302"))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        assertThat(redirect.parentSpanId()).isEmpty();
        List<ReceivedSpan> trace =
                awaitTrace(redirect.traceId(), spans -> spans.stream().anyMatch(TracingApiTest::isRedis));
        assertThat(trace.stream().filter(TracingApiTest::isRedis)).allMatch(s -> descendsFrom(s, redirect, trace));
    }

    @Test
    void anUnknownCodePassedOnToSpringMvcStaysInTheRedirectsTrace() {
        api.get("/" + unique("nx")).expect(404);

        ReceivedSpan redirect = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> RECEIVER.spans().stream()
                                .filter(s -> s.name().equals("GET /{code}")
                                        && s.attributes()
                                                .getOrDefault("http.response.status_code", "")
                                                .equals("404"))
                                .filter(s -> s.parentSpanId().isEmpty())
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        List<ReceivedSpan> trace = awaitTrace(redirect.traceId(), spans -> spans.size() > 1);
        assertThat(trace).allMatch(s -> s == redirect || descendsFrom(s, redirect, trace));
    }

    @Test
    void latencyBucketsCarryTraceIdsAsExemplars() {
        api.get("/users?page=1&per_page=1").expect(200);

        String scrape = management
                .send("GET", "/metrics", Map.of("Accept", "application/openmetrics-text; version=1.0.0"))
                .expect(200)
                .body();

        assertThat(scrape.lines()
                        .filter(l ->
                                l.startsWith("http_server_requests_seconds_bucket") && l.contains("uri=\"/users\"")))
                .anyMatch(l -> l.matches(".* # \\{.*trace_id=\"[0-9a-f]{32}\".*"));
    }

    private static boolean isLinkInsert(ReceivedSpan span) {
        return span.name().equals("query")
                && span.attributes().getOrDefault("jdbc.query[0]", "").contains("INSERT INTO urls");
    }

    private static boolean isRedis(ReceivedSpan span) {
        return span.attributes().getOrDefault("db.system", "").equals("redis");
    }

    private static List<ReceivedSpan> awaitTrace(String traceId, Predicate<List<ReceivedSpan>> complete) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVER.trace(traceId), complete);
    }

    private static ReceivedSpan only(List<ReceivedSpan> trace, Predicate<ReceivedSpan> which) {
        List<ReceivedSpan> found = trace.stream().filter(which).toList();
        assertThat(found).as("spans of %s", trace).hasSize(1);
        return found.getFirst();
    }

    /** Whether {@code span} sits below {@code ancestor} in the trace. */
    private static boolean descendsFrom(ReceivedSpan span, ReceivedSpan ancestor, List<ReceivedSpan> trace) {
        String parent = span.parentSpanId();
        for (int depth = 0; depth < trace.size() && !parent.isEmpty(); depth++) {
            if (parent.equals(ancestor.spanId())) {
                return true;
            }
            String current = parent;
            parent = trace.stream()
                    .filter(s -> s.spanId().equals(current))
                    .map(ReceivedSpan::parentSpanId)
                    .findFirst()
                    .orElse("");
        }
        return false;
    }
}
