package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A stop that cannot load its clicks (PostgreSQL is down) still ends within {@code
 * SHUTDOWN_TIMEOUT}, although the click drain alone may take longer, and the next instance on
 * the same journal directory loads what was left (ADR 0009).
 */
class GracefulStopTest extends ApiTest {

    private static final int REDIRECTS = 40;

    @Autowired
    Environment env;

    @Autowired
    JdbcClient db;

    private long clicks(Link link) {
        return db.sql("SELECT count(*) FROM events WHERE event_type = 'click' AND url_id = ?")
                .param(link.id())
                .query(Long.class)
                .single();
    }

    @Test
    void aStopWithPostgresqlDownEndsWithinTheShutdownTimeoutAndTheNextStartLoadsWhatWasLeft() throws Exception {
        String journal = "target/graceful-stop-" + unique("j");
        Link link;
        try (PostgresProxy proxy = PostgresProxy.inFrontOf(env)) {
            AppInstance stopping = AppInstance.start(Map.of(
                    "spring.datasource.url", proxy.jdbcUrl(),
                    "spring.datasource.hikari.connection-timeout", "1000",
                    "spring.lifecycle.timeout-per-shutdown-phase", "3s",
                    "shortener.clicks.drain-timeout", "30s",
                    "shortener.clicks.retry-backoff-max", "500ms",
                    "shortener.clicks.journal-dir", journal));
            link = new TestLinks(stopping.api(), stopping.context())
                    .create(unique("stop"), "https://example.com/stop", true);
            stopping.api().get("/" + link.shortCode()).expect(302);
            await().atMost(Duration.ofSeconds(5)).until(() -> clicks(link) == 1);

            proxy.down();
            for (int i = 0; i < REDIRECTS; i++) {
                stopping.api().get("/" + link.shortCode()).expect(302);
            }
            long start = System.nanoTime();
            stopping.close();
            Duration stop = Duration.ofNanos(System.nanoTime() - start);

            assertThat(stop).as("the whole stop").isLessThan(Duration.ofSeconds(5));
            assertThat(clicks(link)).as("stored while PostgreSQL was down").isEqualTo(1);
        }

        AppInstance next = AppInstance.start(Map.of("shortener.clicks.journal-dir", journal));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> clicks(link) == 1 + REDIRECTS);
        } finally {
            next.close();
        }
    }
}
