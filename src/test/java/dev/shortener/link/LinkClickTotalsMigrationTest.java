package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import dev.shortener.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Migration V15 on a database that the earlier migrations made and filled: every link gets its
 * total from the click rollup, and the triggers keep the totals beside the links afterwards.
 */
class LinkClickTotalsMigrationTest extends ApiTest {

    @Autowired
    private Environment env;

    @Test
    void aPopulatedDatabaseGetsEveryLinksTotalAndKeepsThemAfterwards() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v15_")) {
            scratch.migrate("14");
            JdbcClient db = scratch.db();
            long owner = db.sql(
                            "INSERT INTO users (username, email) VALUES ('owner', 'owner@example.com') RETURNING id")
                    .query(Long.class)
                    .single();
            long popular = link(db, owner, "popular");
            long quiet = link(db, owner, "quiet");
            long never = link(db, null, "never");
            db.sql("""
                            INSERT INTO events (url_id, event_type, details)
                            VALUES (:popular, 'click', '{"referrer": "https://a.example/"}'),
                                   (:popular, 'click', '{}'), (:popular, 'click', '{}'), (:popular, 'created', '{}'),
                                   (:quiet, 'click', '{}'), (987654321, 'click', '{}')""").params(Map.of("popular", popular, "quiet", quiet)).update();

            scratch.migrate("latest");

            assertThat(totals(db)).isEqualTo(Map.of(popular, 3L, quiet, 1L, never, 0L));
            assertThat(db.sql("SELECT user_id FROM link_click_totals WHERE url_id = ?")
                            .param(popular)
                            .query(Long.class)
                            .single())
                    .isEqualTo(owner);

            db.sql("INSERT INTO events (url_id, event_type) VALUES (?, 'click')")
                    .param(never)
                    .update();
            TestDatabase.foldClicks(db);
            new ClickTotals(db, new DataSourceTransactionManager(scratch.data())).foldAll();
            db.sql("UPDATE urls SET user_id = ? WHERE id = ?")
                    .params(owner, never)
                    .update();
            db.sql("DELETE FROM urls WHERE id = ?").param(quiet).update();
            assertThat(totals(db)).isEqualTo(Map.of(popular, 3L, never, 1L));
            assertThat(db.sql("SELECT user_id FROM link_click_totals WHERE url_id = ?")
                            .param(never)
                            .query(Long.class)
                            .single())
                    .as("the owner an update gave the link")
                    .isEqualTo(owner);
        }
    }

    /** V20 on a database where a link arrived after its clicks and V15's trigger started it at 0. */
    @Test
    void aLinkThatArrivedAfterItsClicksGetsThemBack() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v20_")) {
            scratch.migrate("19");
            JdbcClient db = scratch.db();
            long early = link(db, null, "early");
            db.sql("INSERT INTO events (url_id, event_type) VALUES (?, 'click'), (?, 'click'), (?, 'click')")
                    .params(early + 100, early + 100, early)
                    .update();
            new ClickTotals(db, new DataSourceTransactionManager(scratch.data())).foldAll();
            db.sql("INSERT INTO urls (id, short_code, original_url) VALUES (?, 'late', 'https://example.com/late')")
                    .param(early + 100)
                    .update();
            assertThat(totals(db)).as("before V20").isEqualTo(Map.of(early, 1L, early + 100, 0L));

            scratch.migrate("latest");

            assertThat(totals(db)).isEqualTo(Map.of(early, 1L, early + 100, 2L));
        }
    }

    private static long link(JdbcClient db, Long owner, String code) {
        return db.sql("INSERT INTO urls (user_id, short_code, original_url) VALUES (?, ?, ?) RETURNING id")
                .params(owner, code, "https://example.com/" + code)
                .query(Long.class)
                .single();
    }

    private static Map<Long, Long> totals(JdbcClient db) {
        return db
                .sql("SELECT url_id, clicks FROM link_click_totals")
                .query((row, n) -> Map.entry(row.getLong(1), row.getLong(2)))
                .list()
                .stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
