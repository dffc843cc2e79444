package dev.shortener.event;

import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.TestDatabase;
import dev.shortener.event.EventPartitions.Partition;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.JsonNode;

/**
 * events partitioned by month (migration V24, ADR 0020): a populated table becomes the first
 * partition; the next month's is attached ahead and takes the ids when the month begins; retention
 * drops only the months older than it, the counts follow the rows and the statistics keep the
 * clicks. Each on a database of its own, since moving the sequence and dropping partitions would
 * disturb the other tests' events.
 */
class EventPartitionsTest extends ApiTest {

    private static final String TALLIED =
            "SELECT event_type || '=' || sum(events) FROM event_tallies GROUP BY event_type HAVING sum(events) <> 0";
    private static final String COUNTED = "SELECT event_type || '=' || count(*) FROM events GROUP BY event_type";

    @Autowired
    private Environment env;

    @Test
    void aPopulatedTableBecomesTheFirstPartitionWithItsRowsIndexesAndTriggers() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v24_")) {
            scratch.migrate("22");
            JdbcClient db = scratch.db();
            db.sql("""
                            INSERT INTO events (url_id, user_id, event_type, details)
                            SELECT g % 3, g % 2, CASE WHEN g % 10 = 0 THEN 'created' ELSE 'click' END,
                                   jsonb_build_object('referrer', 'https://r' || (g % 4) || '.example/')
                            FROM generate_series(1, 1000) g""").update();
            List<String> rows = list(db, "SELECT id || ' ' || url_id || ' ' || details::text FROM events ORDER BY id");
            List<String> rollup =
                    list(db, "SELECT url_id || ' ' || referrer || ' ' || user_id || '=' || clicks FROM click_counts");

            scratch.migrate("latest");

            assertThat(list(db, "SELECT id || ' ' || url_id || ' ' || details::text FROM events ORDER BY id"))
                    .containsExactlyElementsOf(rows);
            assertThat(list(db, "SELECT tableoid::regclass::text FROM events GROUP BY 1"))
                    .containsExactly("events_first");
            Partition first = partitions(scratch).partitions().getFirst();
            assertThat(first.to())
                    .isGreaterThanOrEqualTo(EventPartitions.firstId(
                            YearMonth.now(ZoneOffset.UTC).plusMonths(1)));
            assertThat(list(db, """
                            SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                            WHERE i.indrelid = 'events_first'::regclass AND c.relispartition"""))
                    .as("its six indexes (the primary key and five) serve the partitioned ones")
                    .containsExactly("6");

            db.sql("INSERT INTO events (url_id, user_id, event_type) VALUES (1, 1, 'click'), (2, NULL, 'share')")
                    .update();
            db.sql(
                            "UPDATE events SET user_id = 7 WHERE id IN (SELECT id FROM events WHERE event_type = 'click' LIMIT 5)")
                    .update();
            db.sql("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE event_type = 'click' LIMIT 3)")
                    .update();
            assertThat(list(db, TALLIED)).containsExactlyInAnyOrderElementsOf(list(db, COUNTED));
            assertThat(
                            list(
                                    db,
                                    "SELECT url_id || ' ' || user_id || '=' || sum(clicks) FROM click_counts GROUP BY url_id, user_id"))
                    .as("the click rollup follows the rows through the partitioned table's triggers")
                    .containsExactlyInAnyOrderElementsOf(list(db, """
                            SELECT url_id || ' ' || user_id || '=' || count(*) FROM events WHERE event_type = 'click'
                            GROUP BY url_id, user_id"""));
            assertThat(rollup).isNotEmpty();
        }
    }

    @Test
    void theNextMonthIsAttachedAheadAndTakesTheIdsWhenItBegins() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "months_")) {
            scratch.migrate("latest");
            JdbcClient db = scratch.db();
            EventPartitions partitions = partitions(scratch);
            Partition first = partitions.partitions().getFirst();
            YearMonth next = EventPartitions.monthOf(first.to());
            Instant nextBegins = next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);

            partitions.maintain(nextBegins.minusSeconds(10));
            assertThat(partitions.partitions()).containsExactly(first, month(next));
            assertThat(insertedInto(db)).isEqualTo("events_first");

            partitions.maintain(nextBegins.plusSeconds(10));
            partitions.maintain(nextBegins.plusSeconds(20));
            assertThat(partitions.partitions())
                    .as("once each, the month after attached ahead")
                    .containsExactly(first, month(next), month(next.plusMonths(1)));
            assertThat(insertedInto(db)).isEqualTo(month(next).name());
            assertThat(list(
                            db,
                            "SELECT min(id) FROM events WHERE tableoid = '"
                                    + month(next).name() + "'::regclass"))
                    .containsExactly(Long.toString(EventPartitions.firstId(next)));
            assertThat(list(db, TALLIED)).containsExactlyInAnyOrderElementsOf(list(db, COUNTED));
            assertThat(list(db, "SELECT sum(clicks) FROM click_counts")).containsExactly("2");
        }
    }

    @Test
    void retentionDropsOnlyMonthsWhoseEventsAreAllOlderAndTheStatisticsKeepTheirClicks() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "retention_");
                AppInstance app = startOn(scratch, "30d")) {
            JdbcClient db = scratch.db();
            Api api = app.api();
            EventPartitions partitions = app.bean(EventPartitions.class);
            YearMonth next =
                    EventPartitions.monthOf(partitions.partitions().getFirst().to());
            Instant nextBegins = next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            long user = newUser(api);
            JsonNode link = newLink(api, user);
            long linkId = link.get("id").asLong();
            click(api, link, 3);

            partitions.maintain(nextBegins.plusSeconds(1));
            click(api, link, 2);
            api.post("/events", Map.of("event_type", "share", "url_id", linkId)).expect(201);
            long recentImport = partitions.partitions().getFirst().to() - 1;
            api.upload(
                            "/events/bulk",
                            "file",
                            "events.csv",
                            "id,url_id,user_id,event_type,timestamp,details\n" + recentImport + "," + linkId + ","
                                    + user + ",click," + next.plusMonths(1) + "-20 10:00:00,{}\n")
                    .expect(201);

            // 45 days into the next month: everything stored before it is older than 30 days, but
            // the first partition holds the import's recent click
            Instant later = nextBegins.plus(Duration.ofDays(45));
            partitions.maintain(later);
            assertThat(names(partitions)).contains("events_first");

            db.sql("DELETE FROM events WHERE id = ?").param(recentImport).update();
            partitions.maintain(later);
            assertThat(names(partitions))
                    .as("the first partition dropped, the next month's kept")
                    .doesNotContain("events_first")
                    .contains(month(next).name());
            assertThat(list(db, "SELECT count(*) FROM events WHERE url_id = " + linkId + " AND event_type = 'click'"))
                    .containsExactly("2");
            Map<String, String> filters = Map.of(
                    "",
                    "true",
                    "?event_type=click",
                    "event_type = 'click'",
                    "?event_type=created",
                    "event_type = 'created'",
                    "?url_id=" + linkId,
                    "url_id = " + linkId,
                    "?url_id=" + linkId + "&event_type=click",
                    "url_id = " + linkId + " AND event_type = 'click'",
                    "?user_id=" + user,
                    "user_id = " + user);
            filters.forEach((filter, where) -> assertThat(Long.parseLong(
                            api.get("/events" + filter).expect(200).header("X-Total-Count")))
                    .as("/events%s", filter)
                    .isEqualTo(Long.parseLong(list(db, "SELECT count(*) FROM events WHERE " + where)
                            .getFirst())));
            // the links' totals are folded every few seconds
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(api.get("/urls/" + linkId + "/stats")
                                    .expect(200)
                                    .json()
                                    .get("total_clicks")
                                    .asLong())
                            .as("the statistics keep the dropped clicks")
                            .isEqualTo(5));
        }
    }

    private AppInstance startOn(TestDatabase.Scratch scratch, String retention) {
        scratch.migrate("latest");
        return AppInstance.start(Map.of(
                "spring.datasource.url",
                scratch.url(),
                // a Redis database and a journal of its own: no cached link or click crosses databases
                "spring.data.redis.url",
                env.getRequiredProperty("spring.data.redis.url") + "/7",
                "shortener.clicks.journal-dir",
                "target/" + scratch.name() + "-clicks",
                "shortener.events.retention",
                retention));
    }

    private static void click(Api api, JsonNode link, int times) {
        long linkId = link.get("id").asLong();
        long before = Long.parseLong(
                api.get("/events?event_type=click&url_id=" + linkId).expect(200).header("X-Total-Count"));
        for (int i = 0; i < times; i++) {
            api.get("/" + link.get("short_code").asString()).expect(302);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> Long.parseLong(api.get("/events?event_type=click&url_id=" + linkId)
                                .expect(200)
                                .header("X-Total-Count")),
                        count -> count == before + times);
    }

    private static EventPartitions partitions(TestDatabase.Scratch scratch) {
        return new EventPartitions(
                scratch.db(),
                new DataSourceTransactionManager(scratch.data()),
                new EventLogSettings(null, Duration.ofMinutes(10)));
    }

    private static Partition month(YearMonth month) {
        return new Partition(
                "events_" + month.toString().replace('-', '_'),
                EventPartitions.firstId(month),
                EventPartitions.firstId(month.plusMonths(1)));
    }

    private static List<String> names(EventPartitions partitions) {
        return partitions.partitions().stream().map(Partition::name).toList();
    }

    private static String insertedInto(JdbcClient db) {
        return db.sql("INSERT INTO events (url_id, event_type) VALUES (1, 'click') RETURNING tableoid::regclass::text")
                .query(String.class)
                .single();
    }

    private static List<String> list(JdbcClient db, String sql) {
        return db.sql(sql).query(String.class).list();
    }
}
