package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.FaultProxy;
import dev.shortener.FaultProxy.Fault;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The fault matrix's shutdown column: a stop during a fault of PostgreSQL or Redis ends within
 * {@code SHUTDOWN_TIMEOUT} (here 3 s), although the click drain alone may take longer; the clicks
 * it could not load stay in its journal, and the next instance on the same journal directory loads
 * them, each once (ADR 0009).
 */
class GracefulStopTest extends ApiTest {

    private static final int REDIRECTS = 40;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);

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

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("postgres", Fault.DOWN),
                Arguments.of("postgres", Fault.BLACKHOLE),
                Arguments.of("postgres", FaultProxy.latency(Duration.ofMillis(500))),
                Arguments.of("redis", Fault.BLACKHOLE));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("faults")
    void aStopDuringAFaultEndsWithinTheShutdownTimeoutAndTheNextStartLoadsWhatWasLeft(String dependency, Fault fault)
            throws Exception {
        String journal = "target/graceful-stop-" + unique("j");
        Link link;
        try (FaultProxy postgres = FaultProxy.inFrontOfPostgres(env);
                FaultProxy redis = FaultProxy.inFrontOfRedis(env)) {
            Map<String, String> settings = new HashMap<>(postgres.route());
            settings.putAll(redis.route());
            settings.putAll(Map.of(
                    "spring.datasource.hikari.connection-timeout", "1000",
                    "spring.datasource.hikari.data-source-properties.socketTimeout", "4",
                    "spring.data.redis.timeout", "500ms",
                    "spring.lifecycle.timeout-per-shutdown-phase", SHUTDOWN_TIMEOUT.toSeconds() + "s",
                    "shortener.clicks.drain-timeout", "30s",
                    "shortener.clicks.retry-backoff-max", "500ms",
                    "shortener.clicks.journal-dir", journal));
            AppInstance stopping = AppInstance.start(settings);
            link = new TestLinks(stopping.api(), stopping.context())
                    .create(unique("stop"), "https://example.com/stop", true);
            stopping.api().get("/" + link.shortCode()).expect(302);
            await().atMost(Duration.ofSeconds(5)).until(() -> clicks(link) == 1);

            (dependency.equals("postgres") ? postgres : redis).inject(fault);
            for (int i = 0; i < REDIRECTS; i++) {
                stopping.api().get("/" + link.shortCode()).expect(302);
            }
            long start = System.nanoTime();
            stopping.close();
            Duration stop = Duration.ofNanos(System.nanoTime() - start);

            // what follows the deadline (closing the pools and the Redis client) takes a moment too
            assertThat(stop).as("the whole stop").isLessThan(SHUTDOWN_TIMEOUT.plusSeconds(2));
            assertThat(clicks(link)).as("stored by the stop").isBetween(1L, 1L + REDIRECTS);
        }

        AppInstance next = AppInstance.start(Map.of("shortener.clicks.journal-dir", journal));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> clicks(link) == 1 + REDIRECTS);
        } finally {
            next.close();
        }
    }
}
