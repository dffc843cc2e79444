package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import dev.shortener.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Migrations V17 and V21 on a database that the earlier migrations made and filled: the tallies
 * count every stored event, and the triggers keep them, the click rollup (per user since V21) and
 * the links' totals in step with the rows through inserts, updates, deletions, compaction and
 * truncation.
 */
class EventTalliesMigrationTest extends ApiTest {

    static final String TALLIED =
            "SELECT event_type || '=' || sum(events) FROM event_tallies GROUP BY event_type HAVING sum(events) <> 0";
    private static final String CLICK_COUNTS =
            "SELECT url_id || ' ' || day || ' ' || coalesce(click_text(referrer_id), '') || '=' || clicks FROM click_counts";
    private static final String CLICKS_COUNTED = """
            SELECT url_id || ' ' || "timestamp"::date || ' ' || coalesce(details ->> 'referrer', '') || '=' || count(*)
            FROM events WHERE event_type = 'click'
            GROUP BY url_id, "timestamp"::date, coalesce(details ->> 'referrer', '')""";
    private static final String CLICK_COUNTS_PER_USER =
            "SELECT url_id || ' ' || day || ' ' || coalesce(click_text(referrer_id), '') || ' ' || coalesce(user_id, 0) || '=' || clicks"
                    + " FROM click_counts";
    private static final String CLICKS_PER_USER = """
            SELECT url_id || ' ' || "timestamp"::date || ' ' || coalesce(details ->> 'referrer', '') || ' '
                   || coalesce(user_id, 0) || '=' || count(*)
            FROM events WHERE event_type = 'click'
            GROUP BY url_id, "timestamp"::date, coalesce(details ->> 'referrer', ''), user_id""";
    static final String COUNTED = "SELECT event_type || '=' || count(*) FROM events GROUP BY event_type";

    @Autowired
    private Environment env;

    @Test
    void aPopulatedDatabaseGetsItsTalliesAndKeepsEveryCountThroughInsertsUpdatesDeletionsAndTruncation() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v17_")) {
            scratch.migrate("16");
            JdbcClient db = scratch.db();
            db.sql("""
                            INSERT INTO events (url_id, event_type, details)
                            SELECT g % 3, CASE WHEN g % 10 = 0 THEN 'created' ELSE 'click' END,
                                   jsonb_build_object('referrer', 'https://r' || (g % 4) || '.example/')
                            FROM generate_series(1, 1000) g""").update();
            long link = db.sql("INSERT INTO urls (short_code, original_url) VALUES ('one', 'https://example.com/')"
                            + " RETURNING id")
                    .query(Long.class)
                    .single();
            // as an import that changed stored clicks left them before V17
            db.sql("UPDATE click_counts SET clicks = clicks + 5").update();
            db.sql("UPDATE link_click_totals SET clicks = clicks + 5").update();

            scratch.migrate("latest");

            assertThat(list(db, TALLIED)).containsExactlyInAnyOrder("click=900", "created=100");
            assertThat(list(db, CLICK_COUNTS)).containsExactlyInAnyOrderElementsOf(list(db, CLICKS_COUNTED));
            assertThat(list(db, "SELECT clicks FROM link_click_totals WHERE url_id = " + link))
                    .containsExactlyElementsOf(
                            list(db, "SELECT count(*) FROM events WHERE event_type = 'click' AND url_id = " + link));

            db.sql("INSERT INTO events (url_id, event_type) VALUES (1, 'click'), (1, 'share'), (2, 'share')")
                    .update();
            db.sql("""
                            UPDATE events SET event_type = 'share', url_id = 7
                            WHERE id IN (SELECT id FROM events WHERE event_type = 'click' ORDER BY id LIMIT 10)""").update();
            db.sql("""
                            UPDATE events SET details = '{"referrer": "https://moved.example/"}', "timestamp" = '2025-01-01'
                            WHERE id IN (SELECT id FROM events WHERE event_type = 'click' AND url_id = 2 LIMIT 5)""").update();
            db.sql("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE event_type = 'click' LIMIT 3)")
                    .update();
            TestDatabase.foldClicks(db);
            assertThat(list(db, TALLIED)).containsExactlyInAnyOrderElementsOf(list(db, COUNTED));
            assertThat(list(db, CLICK_COUNTS))
                    .as("the click rollup, with no row left at zero")
                    .containsExactlyInAnyOrderElementsOf(list(db, CLICKS_COUNTED));

            new EventTallies(db).compact();
            assertThat(list(db, "SELECT event_type || '=' || events FROM event_tallies"))
                    .as("one row per type once compacted")
                    .containsExactlyInAnyOrderElementsOf(list(db, COUNTED));

            // as bench/clicks empties its tables between rounds
            db.sql("TRUNCATE events, click_counts").update();
            assertThat(list(db, "SELECT event_type FROM event_tallies")).isEmpty();
            assertThat(list(db, CLICK_COUNTS)).isEmpty();
            assertThat(list(db, "SELECT url_id FROM link_click_totals WHERE clicks <> 0"))
                    .isEmpty();
        }
    }

    @Test
    void v21KeepsTheClickRollupPerUserFromThePopulatedTableOn() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v21_")) {
            scratch.migrate("20");
            JdbcClient db = scratch.db();
            // a link whose clicks name two users (its owner changed) and none
            db.sql("""
                            INSERT INTO events (url_id, user_id, event_type, details)
                            SELECT g % 2, CASE g % 3 WHEN 0 THEN NULL ELSE g % 3 END, 'click',
                                   jsonb_build_object('referrer', 'https://r' || (g % 2) || '.example/')
                            FROM generate_series(1, 300) g""").update();

            scratch.migrate("latest");

            assertThat(list(db, CLICK_COUNTS_PER_USER)).containsExactlyInAnyOrderElementsOf(list(db, CLICKS_PER_USER));
            db.sql("INSERT INTO events (url_id, user_id, event_type) VALUES (1, 1, 'click'), (1, NULL, 'click')")
                    .update();
            db.sql("UPDATE events SET user_id = 7 WHERE id IN (SELECT id FROM events WHERE user_id = 1 LIMIT 10)")
                    .update();
            db.sql("UPDATE events SET user_id = NULL WHERE id IN (SELECT id FROM events WHERE user_id = 2 LIMIT 10)")
                    .update();
            db.sql("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE user_id = 7 LIMIT 4)")
                    .update();
            TestDatabase.foldClicks(db);
            assertThat(list(db, CLICK_COUNTS_PER_USER))
                    .as("the rollup per user through inserts, a change of user and deletions")
                    .containsExactlyInAnyOrderElementsOf(list(db, CLICKS_PER_USER));
        }
    }

    private static List<String> list(JdbcClient db, String sql) {
        return db.sql(sql).query(String.class).list();
    }
}
