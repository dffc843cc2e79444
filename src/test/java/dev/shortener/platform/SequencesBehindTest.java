package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Rows written around the id sequences (a restore by hand, an import naming ids above them while
 * the service took writes) hold the ids the sequences give next. Creates and clicks move the
 * sequence past the largest id and go on, instead of failing on every id still taken: a link
 * create answered 500, a user create 409 for an address nobody had, and the click loader retried
 * a batch once per id taken.
 */
class SequencesBehindTest extends ApiTest {

    private static final int TAKEN = 10_000;

    @Autowired
    Environment env;

    @Test
    void createsAndClicksGoOnPastIdsTakenAheadOfTheSequences() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "behind")) {
            JdbcClient db = scratch.db();
            try (AppInstance app = AppInstance.start(Map.of("spring.datasource.url", scratch.url()))) {
                // after the events sequence was moved into this month's range, which the instance does first
                MeterRegistry meters = app.bean(MeterRegistry.class);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> meters.get("shortener.events.months.attached.ahead")
                                        .gauge()
                                        .value()
                                >= 1);
                long user = takeAhead(
                        db,
                        "users",
                        "INSERT INTO users (id, username, email)"
                                + " SELECT n, 'restored' || n, 'restored' || n || '@example.com' FROM generate_series(?, ?) n");
                long url = takeAhead(
                        db,
                        "urls",
                        "INSERT INTO urls (id, short_code, original_url)"
                                + " SELECT n, 'restored' || n, 'https://example.com/' || n FROM generate_series(?, ?) n");
                String restoredEvents = "INSERT INTO events (id, url_id, event_type)" + " SELECT n, " + url
                        + ", 'restored' FROM generate_series(?, ?) n";
                takeAhead(db, "events", restoredEvents);

                Api api = app.api();
                long userId = api.post("/users", Map.of("username", "fresh", "email", "fresh@example.com"))
                        .expect(201)
                        .json()
                        .get("id")
                        .asLong();
                assertThat(userId).isGreaterThan(user);

                String code = api.post("/urls", Map.of("user_id", userId, "original_url", "https://example.com/fresh"))
                        .expect(201)
                        .json()
                        .get("short_code")
                        .asString();
                // the link's creation event took the way past those; each step below meets ids taken anew
                takeAhead(db, "events", restoredEvents);
                api.post("/events", Map.of("event_type", "share", "url_id", url))
                        .expect(201);

                takeAhead(db, "events", restoredEvents);
                api.get("/" + code).expect(302);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> db.sql("SELECT count(*) FROM events e JOIN urls u ON u.id = e.url_id"
                                                + " WHERE u.short_code = ? AND e.event_type = 'click'")
                                        .param(code)
                                        .query(Long.class)
                                        .single()
                                == 1);
            }
        }
    }

    /** Writes rows holding the next {@code TAKEN} ids of the table's sequence; returns the largest. */
    private static long takeAhead(JdbcClient db, String table, String insert) {
        long next = db.sql("SELECT nextval(pg_get_serial_sequence(?, 'id'))")
                .param(table)
                .query(Long.class)
                .single();
        db.sql("SELECT setval(pg_get_serial_sequence(?, 'id'), ?, false)")
                .params(table, next)
                .query(Long.class)
                .single();
        db.sql(insert).params(next, next + TAKEN - 1).update();
        return next + TAKEN - 1;
    }
}
