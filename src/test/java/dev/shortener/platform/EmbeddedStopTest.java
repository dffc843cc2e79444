package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ShortenerApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-setup mode stops like a deployment: its embedded PostgreSQL and Redis outlive the
 * service's graceful stop, so the clicks it flushes then are stored. On their own shutdown hooks
 * they stopped beside it, and the clicks stayed in the journal until the next start.
 */
class EmbeddedStopTest {

    private static final int REDIRECTS = 50;

    @Test
    void aStopStoresEveryClickAnsweredBeforeItInTheEmbeddedPostgres(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        int managementPort = freePort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        java.toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ShortenerApplication.class.getName(),
                        "--server.port=" + port,
                        "--management.server.port=" + managementPort,
                        "--shortener.embedded.data-dir=" + data,
                        "--shortener.embedded.clean=false",
                        // the clicks wait in memory until the stop flushes them
                        "--shortener.clicks.flush-interval=30s"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("app.log").toFile());
        for (String external : List.of("DATABASE_URL", "DATABASE_HOST", "REDIS_URL")) {
            builder.environment().remove(external);
        }
        Process app = builder.start();
        try {
            Api api = new Api("http://127.0.0.1:" + port);
            Api management = new Api("http://127.0.0.1:" + managementPort);
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(() -> management.get("/health/readiness").status() == 200);
            String code = api.post("/urls", Map.of("original_url", "https://example.com/embedded-stop"))
                    .expect(201)
                    .json()
                    .get("short_code")
                    .asString();
            for (int i = 0; i < REDIRECTS; i++) {
                api.get("/" + code).expect(302);
            }

            app.destroy(); // SIGTERM
            assertThat(app.waitFor(1, TimeUnit.MINUTES)).as("stopped").isTrue();
        } finally {
            stopEverything(app, data);
        }

        // PostgreSQL alone on the stopped service's data: no journal is replayed into it
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(data.resolve("postgres"))
                        .setCleanDataDirectory(false)
                        .start();
                Connection connection = postgres.getPostgresDatabase().getConnection();
                ResultSet clicks = connection
                        .createStatement()
                        .executeQuery("SELECT count(*) FROM events WHERE event_type = 'click'")) {
            clicks.next();
            assertThat(clicks.getLong(1))
                    .as("clicks stored, log in %s:%n%s", dir, Files.readString(dir.resolve("app.log")))
                    .isEqualTo(REDIRECTS);
        }
    }

    /** After a failure: the process, its Redis, and its PostgreSQL, which pg_ctl started detached. */
    private static void stopEverything(Process app, Path data) throws Exception {
        if (!app.isAlive()) {
            return;
        }
        app.descendants().forEach(ProcessHandle::destroy);
        app.destroyForcibly();
        Path pid = data.resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).getFirst().strip()))
                    .ifPresent(ProcessHandle::destroy);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
