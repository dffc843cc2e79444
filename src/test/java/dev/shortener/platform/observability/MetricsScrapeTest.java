package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A live scrape of {@code /metrics} holds every application metric family that the alert rules
 * and dashboards read, and no label value grows with what clients send.
 */
class MetricsScrapeTest extends ApiTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][\\w:]*)(?:\\{(.*)})? \\S+$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Set<String> FIXED_ROUTES = Set.of("NOT_FOUND", "UNKNOWN", "REDIRECTION", "root");

    @Test
    void everyApplicationMetricReadByTheRulesAndDashboardsIsExported() {
        driveTraffic("probe");
        System.gc(); // the JVM dashboard reads GC pause metrics, which appear with the first collection

        Set<String> exported = new TreeSet<>();
        scrape().forEach(sample -> exported.add(sample.name()));
        Set<String> missing = new TreeSet<>(DeployFiles.appMetricNames());
        missing.removeAll(exported);

        assertThat(missing)
                .as("metric families read by deploy/prometheus/rules and deploy/grafana/dashboards"
                        + " but absent from a live /metrics scrape")
                .isEmpty();
    }

    @Test
    void labelValuesStayBoundedWhateverClientsSend() {
        String token = unique("zq");
        driveTraffic(token);

        Map<String, Set<String>> values = new TreeMap<>();
        scrape().forEach(sample -> sample.labels()
                .forEach((name, value) ->
                        values.computeIfAbsent(name, n -> new TreeSet<>()).add(value)));

        values.forEach((name, set) -> {
            assertThat(set).as("values of label %s", name).noneMatch(v -> v.contains(token));
            assertThat(set).as("values of label %s", name).hasSizeLessThan(100);
        });
        assertThat(values.get("uri"))
                .as("uri labels are route templates or fixed words, never raw paths")
                .allMatch(uri -> FIXED_ROUTES.contains(uri) || (uri.startsWith("/") && !uri.matches(".*/\\d+(/.*)?")))
                .contains("NOT_FOUND", "/users/{id}");
    }

    /** Requests whose raw paths and ids must not appear in any label. */
    private void driveTraffic(String token) {
        api.get("/health").expect(200);
        awaitReady(); // readiness pings Redis: the Redis command latency timers appear
        api.get("/users?per_page=5").expect(200);
        api.get("/users/987654321").expect(404);
        api.get("/" + token).expect(404);
        api.get("/" + token + "/and/deeper/" + token).expect(404);
        api.get("/users/" + token).expect(404);
        api.send("PATCH", "/users", Map.of("X-Request-Id", token)).expect(405);
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> api.get("/health/ready").status() == 200);
    }

    private record Sample(String name, Map<String, String> labels) {}

    /** Every sample line of a live scrape. */
    private List<Sample> scrape() {
        String body = management.get("/metrics").expect(200).body();
        List<Sample> samples = new ArrayList<>();
        for (String text : body.split("\n")) {
            if (text.isBlank() || text.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(text);
            assertThat(sample.matches()).as("sample line %s", text).isTrue();
            Map<String, String> labels = new TreeMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(sample.group(1), labels));
        }
        return samples;
    }
}
