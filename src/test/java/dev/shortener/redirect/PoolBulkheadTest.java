package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.shortener.ApiTest;
import dev.shortener.TestDatabase;
import dev.shortener.TestLinks;
import dev.shortener.link.Link;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every connection of the application's pool taken, as a burst of API requests or imports may:
 * redirects still look codes up in PostgreSQL through their own pool, clicks are still loaded
 * through theirs, and the API answers 503 rather than hanging (ADR 0009).
 */
class PoolBulkheadTest extends ApiTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    DataSource application;

    @Autowired
    Environment env;

    @Test
    void redirectsAndClicksCarryOnWhileTheApplicationsPoolIsExhausted() throws Exception {
        Link link = new TestLinks(api, context).create(unique("bulk"), "https://example.com/bulkhead", true);
        JdbcClient outside = TestDatabase.outside(env);
        HikariDataSource pool = application.unwrap(HikariDataSource.class);
        List<Connection> taken = new ArrayList<>();
        try {
            for (int i = 0; i < pool.getMaximumPoolSize(); i++) {
                taken.add(pool.getConnection());
            }

            long start = System.nanoTime();
            api.get("/" + link.shortCode()).expect(302);
            Duration redirect = Duration.ofNanos(System.nanoTime() - start);
            int apiStatus = api.get("/urls/" + link.id()).status();

            assertThat(redirect).as("an uncached redirect").isLessThan(Duration.ofMillis(500));
            assertThat(apiStatus).isEqualTo(503);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> outside.sql("SELECT count(*) FROM events WHERE url_id = ? AND event_type = 'click'")
                                    .param(link.id())
                                    .query(Long.class)
                                    .single()
                            == 1);
        } finally {
            for (Connection connection : taken) {
                connection.close();
            }
        }
        assertThat(management.get("/metrics").body())
                .contains("hikaricp_connections_max{application=\"shortener\",pool=\"shortener-redirect\"}")
                .contains("hikaricp_connections_max{application=\"shortener\",pool=\"shortener-clicks\"}");
    }
}
