package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
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

    @Test
    void aClickIsTimedToTheSecondAsPostgresqlRoundsTheTimesOfOtherEvents() {
        long second = 1_796_000_000_000L;
        for (long millis : new long[] {0, 1, 499, 500, 501, 999}) {
            String copied =
                    new String(new CopyText(32).timestamp(second + millis).bytes(), 0, 19, StandardCharsets.US_ASCII);
            LocalDateTime rounded = db.sql(
                            "SELECT (timestamp '1970-01-01' + ? * interval '1 millisecond')::timestamp(0)")
                    .param(second + millis)
                    .query(LocalDateTime.class)
                    .single();
            assertThat(LocalDateTime.parse(copied))
                    .as("%d ms into the second", millis)
                    .isEqualTo(rounded);
        }
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
