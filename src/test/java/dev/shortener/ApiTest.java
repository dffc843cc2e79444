package dev.shortener;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the API tests: the whole application on a random port, over real HTTP, against
 * PostgreSQL and Redis (embedded under target/, or external when DATABASE_* / REDIS_URL are set).
 */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"shortener.embedded.data-dir=target/embedded-test-data", "shortener.embedded.clean=true"})
public abstract class ApiTest {

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    protected Api api;

    /** The management port: {@code /metrics} and the probes. */
    protected Api management;

    @BeforeEach
    void connect() {
        api = new Api("http://127.0.0.1:" + port);
        management = new Api("http://127.0.0.1:" + managementPort);
    }

    /**
     * Returns once the UTC clock shows a later second than {@code timestamp} (an API timestamp,
     * which has whole seconds), so that a change made now gets a later one.
     */
    protected static void awaitTheSecondAfter(String timestamp) {
        LocalDateTime stamped = LocalDateTime.parse(timestamp);
        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> LocalDateTime.now(ZoneOffset.UTC)
                        .truncatedTo(ChronoUnit.SECONDS)
                        .isAfter(stamped));
    }

    /** A value no other test uses, for unique e-mail addresses and codes. */
    protected static String unique(String prefix) {
        return prefix + Long.toString(System.nanoTime(), 36);
    }
}
