package dev.shortener.deploy;

import static dev.shortener.deploy.DeployFiles.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped nginx configuration passes {@code nginx -t}, and a real nginx running its proxy
 * pieces in front of two stub replicas behaves as the stack needs.
 */
class NginxConfigTest {

    @TempDir
    static Path dir;

    private static final List<HttpServer> replicas = new ArrayList<>();
    private static final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private static final AtomicInteger hits = new AtomicInteger();
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(seconds(5))
            .build();

    /** The shipped proxy pieces in front of two healthy stub replicas. */
    private static LocalNginx nginx;
    /** The same, in front of one healthy replica and one that answers 502 to everything. */
    private static LocalNginx withFailingReplica;

    @BeforeAll
    static void startNginxInFrontOfStubReplicas() throws IOException, InterruptedException {
        nginx = LocalNginx.start(dir.resolve("healthy"), replica(200, hits), replica(200, hits));
        withFailingReplica = LocalNginx.start(
                dir.resolve("failing"), replica(502, new AtomicInteger()), replica(200, new AtomicInteger()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (LocalNginx instance : Arrays.asList(nginx, withFailingReplica)) {
            if (instance != null) {
                instance.close();
            }
        }
        replicas.forEach(replica -> replica.stop(0));
    }

    @Test
    void the_shipped_configuration_passes_nginx_t_with_resolvable_upstreams() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("check"));
        Path pieces = Files.createDirectories(copy.resolve("shortener"));
        try (var files = Files.list(DeployFiles.root().resolve("deploy/nginx"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
                Files.copy(file, pieces.resolve(file.getFileName()));
            }
        }
        Files.copy(DeployFiles.root().resolve("deploy/nginx/nginx.conf"), copy.resolve("nginx.conf"));
        // nginx -t resolves upstream host names; the compose service names exist only in the stack.
        Files.writeString(
                pieces.resolve("upstream.conf"),
                Files.readString(pieces.resolve("upstream.conf")).replaceAll("app[12]:8080", "127.0.0.1:8080"));
        var result = DeployFiles.run(
                seconds(30),
                List.of(
                        "nginx",
                        "-t",
                        "-p",
                        copy.toString(),
                        "-c",
                        copy.resolve("nginx.conf").toString()));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("test is successful");
    }

    @Test
    void requests_reach_a_replica_with_the_client_address_and_security_headers() throws Exception {
        var response = send(HttpRequest.newBuilder(uri("/abc123")).header("X-Forwarded-For", "198.51.100.7"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().allValues("X-Frame-Options"))
                .as("the replica's header is replaced, not doubled")
                .containsExactly("DENY");
        assertThat(response.headers().allValues("Content-Security-Policy")).hasSize(1);
        assertThat(response.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(response.headers().firstValue("Server")).hasValue("nginx");
        assertThat(lastHeaders.get("X-real-ip")).isEqualTo("127.0.0.1");
        assertThat(lastHeaders.get("X-forwarded-for")).isEqualTo("198.51.100.7, 127.0.0.1");
        assertThat(lastHeaders.get("X-forwarded-proto")).isEqualTo("http");
        assertThat(lastHeaders.get("X-request-id")).matches("[0-9a-f]{32}");
    }

    @Test
    void management_paths_are_refused_from_outside_with_a_problem_body() throws Exception {
        int before = hits.get();
        for (String path : List.of("/metrics", "/health/ready", "/actuator", "/actuator/env", "/metrics/jvm")) {
            var response = send(HttpRequest.newBuilder(uri(path)));
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("\"status\":404");
        }
        assertThat(hits.get()).as("no replica was asked").isEqualTo(before);
    }

    @Test
    void bodies_are_limited_to_one_megabyte_except_for_bulk_imports() throws Exception {
        String twoMegabytes = "x".repeat(3 * 1024 * 1024 / 2);
        var small = send(HttpRequest.newBuilder(uri("/users")).PUT(BodyPublishers.ofString(twoMegabytes)));
        assertThat(small.statusCode()).isEqualTo(413);
        assertThat(small.body()).contains("payload-too-large");
        var bulk = send(HttpRequest.newBuilder(uri("/users/bulk")).POST(BodyPublishers.ofString(twoMegabytes)));
        assertThat(bulk.statusCode()).isNotEqualTo(413);
    }

    @Test
    void writes_are_rate_limited_per_client_and_reads_are_not() throws Exception {
        int limited = 0;
        for (int i = 0; i < 120; i++) {
            var response = send(HttpRequest.newBuilder(uri("/events")).PUT(BodyPublishers.ofString("{}")));
            if (response.statusCode() == 429) {
                limited++;
                assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(response.body()).contains("too-many-requests");
            }
        }
        assertThat(limited).as("PUTs answered 429 beyond the burst").isPositive();
        for (int i = 0; i < 120; i++) {
            assertThat(send(HttpRequest.newBuilder(uri("/health"))).statusCode())
                    .isNotEqualTo(429);
        }
    }

    @Test
    void a_failing_replica_is_skipped_for_reads_but_a_post_is_never_sent_twice() throws Exception {
        // POSTs first, while the failing replica is still in rotation: its 502 reaches the client.
        List<Integer> posts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            posts.add(
                    send(HttpRequest.newBuilder(withFailingReplica.uri("/urls")).POST(BodyPublishers.ofString("{}")))
                            .statusCode());
        }
        assertThat(posts).contains(502);
        for (int i = 0; i < 10; i++) {
            assertThat(send(HttpRequest.newBuilder(withFailingReplica.uri("/abc" + i)))
                            .statusCode())
                    .as("GET retried on the healthy replica")
                    .isEqualTo(200);
        }
    }

    @Test
    void stub_status_answers_on_the_internal_listener_only() throws Exception {
        var status = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.statusPort() + "/stub_status"))
                        .build(),
                BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("Active connections");
        assertThat(send(HttpRequest.newBuilder(uri("/stub_status"))).statusCode())
                .as("public listener passes it to the app, which owns every other path")
                .isEqualTo(200);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(seconds(10)).build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static URI uri(String path) {
        return nginx.uri(path);
    }

    private static int replica(int status, AtomicInteger hits) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.getRequestHeaders().forEach((name, values) -> lastHeaders.put(name, values.getFirst()));
            exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
            byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            // as the application sends them
            exchange.getResponseHeaders().set("X-Frame-Options", "SAMEORIGIN");
            exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        replicas.add(server);
        return server.getAddress().getPort();
    }
}
