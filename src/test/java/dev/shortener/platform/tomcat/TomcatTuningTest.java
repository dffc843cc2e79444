package dev.shortener.platform.tomcat;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

/** The server settings of this service, seen over HTTP or on the running connector. */
class TomcatTuningTest extends ApiTest {

    @Autowired
    ServletWebServerApplicationContext context;

    @Test
    void one_connection_carries_a_thousand_requests_then_is_closed_by_the_server() throws IOException {
        String code = newLink(api, newUser(api)).get("short_code").asString();
        URI base = URI.create(api.base());
        List<String> closedAt = new ArrayList<>();
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            byte[] request =
                    ("GET /" + code + " HTTP/1.1\r\nHost: shortener\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 1; i <= 1000; i++) {
                out.write(request);
                out.flush();
                List<String> head = readHead(in);
                assertThat(head.getFirst()).as("answer %d", i).startsWith("HTTP/1.1 302");
                if (head.stream().anyMatch(line -> line.equalsIgnoreCase("Connection: close"))) {
                    closedAt.add("request " + i);
                }
            }
            assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
        }
        assertThat(closedAt).containsExactly("request 1000");
    }

    @Test
    void a_trusted_proxy_still_sets_the_scheme_of_links_the_service_writes() {
        newUser(api);
        newUser(api);

        var page = api.send("GET", "/users?page=1&per_page=1", Map.of("X-Forwarded-Proto", "https"))
                .expect(200);

        assertThat(page.header("Link")).startsWith("<https://").contains("rel=\"next\"");
    }

    @Test
    void requestsRunOnVirtualThreadsWithOneNameAndNoInheritedThreadLocals() throws Exception {
        Executor executor = ((TomcatWebServer) context.getWebServer())
                .getTomcat()
                .getConnector()
                .getProtocolHandler()
                .getExecutor();
        InheritableThreadLocal<String> inherited = new InheritableThreadLocal<>();
        inherited.set("from the poller");
        CompletableFuture<String> seen = new CompletableFuture<>();

        executor.execute(() -> seen.complete(Thread.currentThread().isVirtual() + " "
                + Thread.currentThread().getName() + " " + inherited.get()));

        assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("true tomcat-handler null");
    }

    @Test
    void requestProcessorsAreKeptForMoreConcurrentRequestsThanTomcatsThreadDefault() {
        var handler = ((TomcatWebServer) context.getWebServer())
                .getTomcat()
                .getConnector()
                .getProtocolHandler();

        assertThat(((AbstractProtocol<?>) handler).getProcessorCache()).isEqualTo(512);
    }

    @Test
    void socketBuffersOfClosedConnectionsAreKeptForNewOnesWithASmallHeap() {
        var connector = ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();

        // Tomcat's default, -2, keeps none when the heap is smaller than 2 GB
        assertThat(connector.getProperty("socket.bufferPool")).hasToString("512");
    }

    /** The status line and headers of one answer; its body, if any, is skipped. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII).strip();
                line.reset();
                if (text.isEmpty()) {
                    break;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
        long length = lines.stream()
                .filter(header -> header.regionMatches(true, 0, "Content-Length:", 0, 15))
                .mapToLong(header -> Long.parseLong(header.substring(15).strip()))
                .findFirst()
                .orElse(0);
        in.skipNBytes(length);
        return lines;
    }
}
