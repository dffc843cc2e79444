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
 * Migration V30 on a database that V29 made and filled: the click rollup, keyed by referrer text
 * until then, keeps every count under the referrer's id in the dictionary, and stays in step with
 * the events after it.
 */
class ReferrerIdRollupMigrationTest extends ApiTest {

    private static final String ROLLUP_BY_TEXT = """
            SELECT url_id || ' ' || day || ' ' || %s || ' ' || coalesce(user_id, 0) || '=' || clicks
            FROM click_counts""";
    private static final String CLICKS_BY_TEXT = """
            SELECT url_id || ' ' || "timestamp"::date || ' ' || coalesce(event_details(events) ->> 'referrer', '') || ' '
                   || coalesce(user_id, 0) || '=' || count(*)
            FROM events WHERE event_type = 'click'
            GROUP BY url_id, "timestamp"::date, coalesce(event_details(events) ->> 'referrer', ''), user_id""";

    @Autowired
    private Environment env;

    @Test
    void theRollupKeepsEveryCountUnderTheReferrersIdAndFollowsTheEventsAfterwards() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v30_")) {
            scratch.migrate("29");
            JdbcClient db = scratch.db();
            // wide clicks over two days and two users: four referrers, an empty one and none
            db.sql("""
                            INSERT INTO events (url_id, user_id, event_type, "timestamp", details)
                            SELECT g % 3, 1 + g % 2, 'click', timestamp '2026-11-30 12:00' + (g % 2) * interval '1 day',
                                   CASE g % 5 WHEN 0 THEN '{"referrer": null}'::jsonb WHEN 1 THEN '{"referrer": ""}'
                                        ELSE jsonb_build_object('referrer', 'https://r' || (g % 4) || '.example/') END
                            FROM generate_series(1, 600) g""").update();
            // narrow clicks, as the click loader stores them, one with a referrer the wide ones have
            db.sql("INSERT INTO click_texts (text) VALUES ('c1'), ('https://example.com/'), ('https://r2.example/')")
                    .update();
            db.sql("""
                            INSERT INTO events (url_id, user_id, event_type, "timestamp", short_code_id, original_url_id, referrer_id)
                            SELECT 1, 1, 'click', timestamp '2026-11-30 13:00', 1, 2, CASE WHEN g % 2 = 0 THEN 3 END
                            FROM generate_series(1, 40) g""").update();
            TestDatabase.foldClicks(db);
            // the clicks of a partition that retention dropped stay in the rollup
            db.sql("INSERT INTO click_counts (url_id, day, referrer, user_id, clicks)"
                            + " VALUES (9, '2025-01-01', 'https://gone.example/', 2, 4)")
                    .update();
            List<String> before = list(db, ROLLUP_BY_TEXT.formatted("referrer"));
            assertThat(before).hasSize(19);

            scratch.migrate("latest");

            assertThat(list(db, ROLLUP_BY_TEXT.formatted("coalesce(click_text(referrer_id), '')")))
                    .as("the same counts by text, none lost or moved")
                    .containsExactlyInAnyOrderElementsOf(before);
            assertThat(list(db, "SELECT count(*) FROM click_counts WHERE referrer_id IS NULL AND url_id = 0"))
                    .as("no referrer and an empty one share one row per link, day and user")
                    .containsExactly("2");

            db.sql("DELETE FROM click_counts WHERE url_id = 9").update();
            db.sql("""
                            INSERT INTO events (url_id, user_id, event_type, "timestamp", details)
                            VALUES (1, 1, 'click', '2026-11-30 14:00', '{"referrer": "https://new.example/"}'),
                                   (1, 1, 'click', '2026-11-30 14:00', '{"referrer": ""}')""").update();
            db.sql(
                            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE url_id = 2 AND details ->> 'referrer' = ''"
                                    + " ORDER BY id LIMIT 3)")
                    .update();
            db.sql(
                            "UPDATE events SET details = '{\"referrer\": \"https://moved.example/\"}'"
                                    + " WHERE id IN (SELECT id FROM events WHERE url_id = 0 AND details = '{\"referrer\": null}')")
                    .update();
            List<String> counted = list(db, CLICKS_BY_TEXT);
            assertThat(list(
                            db,
                            "SELECT url_id || ' ' || day || ' ' || referrer || ' ' || coalesce(user_id, 0) || '='"
                                    + " || sum(clicks) FROM clicks_counted GROUP BY url_id, day, referrer, user_id"))
                    .as("the view before the fold")
                    .containsExactlyInAnyOrderElementsOf(counted);
            TestDatabase.foldClicks(db);
            assertThat(list(db, ROLLUP_BY_TEXT.formatted("coalesce(click_text(referrer_id), '')")))
                    .as("the rollup after inserts, deletions and changes of referrer, no row left at zero")
                    .containsExactlyInAnyOrderElementsOf(counted);
        }
    }

    private static List<String> list(JdbcClient db, String sql) {
        return db.sql(sql).query(String.class).list();
    }
}
