package dev.shortener.platform;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /metrics} and the probes answer on the management port only: every spelling of their
 * paths on the public port is sent byte for byte (no client normalises it) and never gets their
 * content; the contract's {@code /health} and {@code /health/ready} stay on the public port.
 */
class ManagementPortTest extends ApiTest {

    /** A line that only a Prometheus scrape of this service holds. */
    private static final String SCRAPE_MARK = "# TYPE jvm_threads_live_threads";

    static List<String> publicSpellings() {
        return List.of(
                "/metrics",
                "/metrics;x",
                "/metrics;jsessionid=1",
                "/METRICS",
                "/Metrics",
                "//metrics",
                "///metrics",
                "/metrics/",
                "/metrics//",
                "/%2e/metrics",
                "/%2E/metrics",
                "/./metrics",
                "/x/../metrics",
                "/x/..;/metrics",
                "/%2fmetrics",
                "/%6detrics",
                "/metrics%00",
                "/metrics%20",
                "/metrics?x=1",
                "/metrics.txt",
                "/prometheus",
                "/actuator/prometheus",
                "/actuator/metrics",
                "/actuator",
                "/health/liveness",
                "/health/readiness",
                "/health/ready/../liveness",
                "/health;x/liveness",
                "/HEALTH/LIVENESS");
    }

    @ParameterizedTest
    @MethodSource("publicSpellings")
    void publicPortNeverServesManagementEndpoints(String path) throws IOException {
        for (String method : List.of("GET", "HEAD")) {
            String answer = raw(api.base(), method, path);
            assertThat(answer)
                    .as("%s %s on the public port", method, path)
                    .doesNotContain(SCRAPE_MARK)
                    .doesNotContain("\"UP\"")
                    .doesNotStartWith("HTTP/1.1 200");
        }
    }

    @Test
    void managementPortServesMetricsAndProbes() {
        assertThat(management.get("/metrics").expect(200).body()).contains(SCRAPE_MARK);
        assertThat(management
                        .get("/health/liveness")
                        .expect(200)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("UP");
        assertThat(management
                        .get("/health/readiness")
                        .expect(200)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("UP");
        var health = management.get("/health").expect(200).json();
        assertThat(health.path("components").has("db")).isTrue();
        assertThat(health.path("components").has("redis")).isTrue();
    }

    @Test
    void managementPortServesNothingElse() {
        String code = newLink(api, newUser(api)).get("short_code").asString();
        api.get("/" + code).expect(302);
        management.get("/" + code).expect(404);
        management.get("/users").expect(404);
        management.get("/openapi.json").expect(404);
    }

    @Test
    void contractHealthStaysOnThePublicPort() {
        assertThat(api.get("/health").expect(200).json().path("status").asString())
                .isEqualTo("ok");
        assertThat(api.get("/health/ready").expect(200).json().path("status").asString())
                .isEqualTo("ok");
    }

    /** One request with the path exactly as given; the status line and the body, as text. */
    private static String raw(String base, String method, String path) throws IOException {
        URI uri = URI.create(base);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5_000);
            String request = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
