package dev.shortener.event;

import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The PostgreSQL sink against the tests' PostgreSQL: {@code events} and {@code click_journals}. */
// ApiTest's context, so that this class shares its application and PostgreSQL
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"shortener.embedded.data-dir=target/embedded-test-data", "shortener.embedded.clean=true"})
class PostgresClickSinkTest extends ClickSinkContract {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient db;

    @Override
    ClickSink newSink() {
        return new PostgresClickSink(dataSource, Duration.ofSeconds(5));
    }

    @Override
    List<Click> storedClicks(long urlId) {
        return db.sql("""
                        SELECT url_id, user_id, details->>'short_code', details->>'original_url',
                               details->>'referrer', details->>'user_agent',
                               extract(epoch FROM "timestamp")::bigint * 1000
                        FROM events WHERE url_id = ? AND event_type = 'click' ORDER BY id""")
                .param(urlId)
                .query((row, n) -> new Click(
                        row.getLong(1),
                        row.getObject(2, Long.class),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5),
                        row.getString(6),
                        row.getLong(7)))
                .list();
    }
}
