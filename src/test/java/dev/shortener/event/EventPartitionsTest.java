package dev.shortener.event;

import static dev.shortener.event.EventTalliesMigrationTest.COUNTED;
import static dev.shortener.event.EventTalliesMigrationTest.TALLIED;
import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import dev.shortener.CursorPagingTest;
import dev.shortener.TestDatabase;
import dev.shortener.event.EventPartitions.Partition;
import dev.shortener.platform.MonthIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.JsonNode;

/**
 * events partitioned by month (migrations V23–V26, ADR 0020): a populated table becomes the first
 * partition; the coming months are attached ahead and a month takes the ids when it begins; an
 * import cannot take the sequence back or past them; retention drops only the months older than
 * it, the counts follow the rows and the statistics keep the clicks. Each on a database of its own, since moving the sequence and dropping partitions would
 * disturb the other tests' events.
 */
class EventPartitionsTest extends ApiTest {

    @Autowired
    private Environment env;

    /** The database and the partitions of the tests' own instance. */
    @Autowired
    private JdbcClient mainDb;

    @Autowired
    private EventPartitions mainPartitions;

    @Test
    void aPopulatedTableBecomesTheFirstPartitionWithItsRowsIndexesAndTriggers() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v25_")) {
            scratch.migrate("22");
            JdbcClient db = scratch.db();
            db.sql("""
                            INSERT INTO events (url_id, user_id, event_type, details)
                            SELECT g % 3, g % 2, CASE WHEN g % 10 = 0 THEN 'created' ELSE 'click' END,
                                   jsonb_build_object('referrer', 'https://r' || (g % 4) || '.example/')
                            FROM generate_series(1, 1000) g""").update();
            String rows = "SELECT id || ' ' || url_id || ' ' || details::text FROM events ORDER BY id";
            List<String> before = list(db, rows);
            YearMonth migrated = YearMonth.now(ZoneOffset.UTC);

            scratch.migrate("latest");

            assertThat(list(db, rows)).containsExactlyElementsOf(before);
            assertThat(list(db, "SELECT tableoid::regclass::text FROM events GROUP BY 1"))
                    .containsExactly("events_first");
            assertThat(partitions(scratch).partitions().getFirst().to())
                    .isGreaterThanOrEqualTo(MonthIds.firstId(migrated.plusMonths(1)));
            assertThat(list(db, """
                            SELECT c.relname || ' ' || c.relispartition FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                            WHERE i.indrelid = 'events_first'::regclass"""))
                    // V32 drops the user index that held clicks; V34 adds one of a user's other events by id
                    .as("the table's own indexes, none built again, and V34's serve the partitioned ones")
                    .containsExactlyInAnyOrder(
                            "events_first_pkey true",
                            "events_first_url_id_idx true",
                            "events_first_other_type_idx true",
                            "events_first_url_other_type_id_idx true",
                            "events_first_user_other_type_idx true",
                            "events_first_user_other_id_idx true");

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
                                    "SELECT url_id || ' ' || user_id || '=' || sum(clicks) FROM clicks_counted GROUP BY url_id, user_id"))
                    .as("the click rollup follows the rows through the partitioned table's triggers")
                    .containsExactlyInAnyOrderElementsOf(list(db, """
                            SELECT url_id || ' ' || user_id || '=' || count(*) FROM events WHERE event_type = 'click'
                            GROUP BY url_id, user_id"""));
        }
    }

    @Test
    void theComingMonthsAreAttachedAheadAndAMonthTakesTheIdsWhenItBegins() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "months_")) {
            scratch.migrate("latest");
            JdbcClient db = scratch.db();
            EventPartitions partitions = partitions(scratch);
            Partition first = partitions.partitions().getFirst();
            YearMonth next = MonthIds.monthOf(first.to());
            Instant nextBegins = next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);

            assertThat(partitions.monthsAhead()).isNaN();
            assertThat(partitions.maintain(nextBegins.minusSeconds(10))).isTrue();
            assertThat(partitions.partitions())
                    .as("through the month after next")
                    .containsExactly(first, month(next), month(next.plusMonths(1)));
            assertThat(partitions.monthsAhead()).isEqualTo(2);
            assertThat(insertedInto(db)).isEqualTo("events_first");

            assertThat(partitions.maintain(nextBegins.plusSeconds(10))).isTrue();
            assertThat(partitions.maintain(nextBegins.plusSeconds(20))).isTrue();
            assertThat(partitions.partitions())
                    .as("each once, through the month after next")
                    .containsExactly(first, month(next), month(next.plusMonths(1)), month(next.plusMonths(2)));
            assertThat(partitions.monthsAhead()).isEqualTo(2);
            assertThat(insertedInto(db)).isEqualTo(month(next).name());
            assertThat(list(
                            db,
                            "SELECT min(id) FROM events WHERE tableoid = '"
                                    + month(next).name() + "'::regclass"))
                    .containsExactly(Long.toString(MonthIds.firstId(next)));
            assertThat(list(db, TALLIED)).containsExactlyInAnyOrderElementsOf(list(db, COUNTED));
            assertThat(list(db, "SELECT sum(clicks) FROM clicks_counted")).containsExactly("2");
        }
    }

    @Test
    void runsThatCannotAttachTheNextMonthShowItInTheGaugeItsAlertWatches() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "stuck_")) {
            scratch.migrate("latest");
            EventPartitions partitions = partitions(scratch);
            YearMonth next = MonthIds.monthOf(partitions.partitions().getFirst().to());
            // a table in the way of next month's partition: every run's attaching fails
            scratch.db()
                    .sql("CREATE TABLE " + month(next).name() + " (id bigint)")
                    .update();
            Instant now = next.minusMonths(1).atDay(15).atStartOfDay().toInstant(ZoneOffset.UTC);

            assertThatThrownBy(() -> partitions.maintain(now)).isInstanceOf(DataAccessException.class);
            assertThat(partitions.monthsAhead())
                    .as("months attached after the current one, which the alert at below 1 watches")
                    .isZero();
        }
    }

    @Test
    void aDropWaitsOutAWriterThatHoldsEvents() throws Exception {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "detach_")) {
            scratch.migrate("latest");
            JdbcClient db = scratch.db();
            EventPartitions partitions = partitions(scratch, Duration.ofDays(30));
            YearMonth next = MonthIds.monthOf(partitions.partitions().getFirst().to());
            Instant nextBegins = next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            insertedInto(db);
            assertThat(partitions.maintain(nextBegins.plusSeconds(1))).isTrue();
            TestDatabase.foldClicks(db);

            // a writer of the new month holds events past several of the detach's 500 ms attempts
            try (Connection writer = scratch.data().getConnection();
                    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor()) {
                writer.setAutoCommit(false);
                writer.createStatement().execute("INSERT INTO events (url_id, event_type) VALUES (2, 'click')");
                ScheduledFuture<?> commit = later.schedule(
                        () -> {
                            writer.commit();
                            return null;
                        },
                        1500,
                        TimeUnit.MILLISECONDS);
                assertThat(partitions.maintain(nextBegins.plus(Duration.ofDays(45))))
                        .isTrue();
                assertThat(commit.isDone()).as("the drop waited for the writer").isTrue();
            }
            assertThat(names(partitions)).doesNotContain("events_first");
            assertThat(list(db, TALLIED)).containsExactlyInAnyOrderElementsOf(list(db, COUNTED));
        }
    }

    @Test
    void aMonthWhoseLocksAreNotGrantedStaysForTheNextRunWhichDropsIt() throws Exception {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "droplock_")) {
            scratch.migrate("latest");
            JdbcClient db = scratch.db();
            YearMonth next =
                    MonthIds.monthOf(partitions(scratch).partitions().getFirst().to());
            Instant later =
                    next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).plus(Duration.ofDays(45));
            EventPartitions partitions = partitions(scratch, Duration.ofDays(30));
            insertedInto(db);
            assertThat(partitions.maintain(later)).isTrue();
            assertThat(names(partitions))
                    .as("kept until its clicks are folded into the rollup")
                    .contains("events_first");
            TestDatabase.foldClicks(db);
            try (Connection writer = scratch.data().getConnection()) {
                // a writer holds the old month past the drop's 500 ms wait
                writer.setAutoCommit(false);
                writer.createStatement().execute("LOCK TABLE events_first IN ROW EXCLUSIVE MODE");

                assertThat(partitions.maintain(later))
                        .as("a step left to the next run")
                        .isFalse();
                assertThat(partitions.monthsAhead())
                        .as("the months ahead are attached and reported all the same")
                        .isEqualTo(2);
                assertThat(names(partitions)).contains("events_first");
                writer.rollback();
            }
            assertThat(partitions.maintain(later)).isTrue();
            assertThat(names(partitions)).doesNotContain("events_first");
            assertThat(list(db, TALLIED)).containsExactlyInAnyOrderElementsOf(list(db, COUNTED));
        }
    }

    @Test
    void anImportOfEventsDoesNotWaitForALockOnAMonthItsIdsAreNotIn() throws Exception {
        long user = newUser(api);
        JsonNode link = newLink(api, user);
        long linkId = link.get("id").asLong();
        long created = mainDb.sql("SELECT id FROM events WHERE url_id = ? AND event_type = 'created'")
                .param(linkId)
                .query(Long.class)
                .single();
        Partition other = mainPartitions.partitions().getLast();
        assertThat(created).as("in another partition than %s", other).isLessThan(other.from());
        try (Connection drop = TestDatabase.connect(env)) {
            // as a retention drop holds a month while it counts its rows
            drop.setAutoCommit(false);
            drop.createStatement().execute("LOCK TABLE " + other.name() + " IN SHARE MODE");
            JsonNode report = api.upload(
                            "/events/bulk",
                            "file",
                            "events.csv",
                            "id,url_id,user_id,event_type,timestamp,details\n" + created + "," + linkId + "," + user
                                    + ",created,,\"{\"\"note\"\":\"\"imported again\"\"}\"\n")
                    .expect(201)
                    .json();
            assertThat(report.get("imported").asLong()).as(report.toString()).isEqualTo(1);
            drop.rollback();
        }
        assertThat(mainDb.sql("SELECT details ->> 'note' FROM events WHERE id = ?")
                        .param(created)
                        .query(String.class)
                        .single())
                .isEqualTo("imported again");
    }

    @Test
    void retentionDropsOnlyMonthsWhoseEventsAreAllOlderAndTheStatisticsKeepTheirClicks() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "retention_");
                AppInstance app = startOn(scratch, "30d")) {
            JdbcClient db = scratch.db();
            Api api = app.api();
            EventPartitions partitions = app.bean(EventPartitions.class);
            YearMonth next = MonthIds.monthOf(partitions.partitions().getFirst().to());
            Instant nextBegins = next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            long user = newUser(api);
            JsonNode link = newLink(api, user);
            long linkId = link.get("id").asLong();
            click(api, link, 3);

            // the instance's own run at its start may hold the lock a moment
            await().atMost(Duration.ofSeconds(10)).until(() -> partitions.maintain(nextBegins.plusSeconds(1)));
            // as the month begins, an import names an old id and a recent event in the first
            // partition: the sequence stays in the new month's range
            long recentImport = partitions.partitions().getFirst().to() - 1;
            LocalDateTime recent = next.plusMonths(1).atDay(20).atTime(10, 0);
            String header = "id,url_id,user_id,event_type,timestamp,details\n";
            // the old id alone first: a chunk moves the sequence past its greatest id
            api.upload(
                            "/events/bulk",
                            "file",
                            "events.csv",
                            header + "1000," + linkId + "," + user + ",click,2025-01-02 10:00:00,{}\n")
                    .expect(201);
            // what the service stores next, in the month's range whatever the import did
            click(api, link, 2);
            api.post("/events", Map.of("event_type", "share", "url_id", linkId)).expect(201);
            api.upload(
                            "/events/bulk",
                            "file",
                            "events.csv",
                            header + recentImport + "," + linkId + "," + user + ",click," + recent + ",{}\n")
                    .expect(201);
            // and a click of the future in the new month, which an import may not name yet: stored
            // as an import would, the sequence moved past it
            long future = MonthIds.firstId(next) + 1000;
            db.sql("INSERT INTO events (id, url_id, user_id, event_type, \"timestamp\") VALUES (?, ?, ?, 'click', ?)")
                    .params(future, linkId, user, next.plusMonths(6).atDay(1).atStartOfDay())
                    .update();
            db.sql("SELECT setval('events_id_seq', ?)").param(future).query().singleValue();
            long tooFar = MonthIds.firstId(YearMonth.now(ZoneOffset.UTC).plusMonths(1));
            assertThat(api.upload("/events/bulk", "file", "events.csv", header + tooFar + "," + linkId + ",,click,,\n")
                            .json()
                            .toString())
                    .as("an id past the months attached ahead")
                    .contains("\"failed\":1")
                    .contains("id must be below " + tooFar);
            List<Long> stored = db.sql("SELECT id FROM events WHERE url_id = ? ORDER BY id")
                    .param(linkId)
                    .query(Long.class)
                    .list();
            assertThat(stored).hasSize(10);
            assertThat(stored.stream().filter(id -> id >= MonthIds.firstId(next)))
                    .as("the import's future event and what the service stored since, in the month's range")
                    .hasSize(4)
                    .allMatch(id -> id < MonthIds.firstId(next.plusMonths(1)));
            // pages by cursor settle once the commits are under the horizon (ADR 0016)
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(CursorPagingTest.walkForward(
                                    api, "/events?url_id=" + linkId + "&after=0&per_page=3"))
                            .as("a walk by cursor over both months")
                            .isEqualTo(stored));

            // 45 days into the next month: everything the service stored before it is older than
            // 30 days, but the first partition holds the import's recent click
            Instant later = nextBegins.plus(Duration.ofDays(45));
            await().atMost(Duration.ofSeconds(10)).until(() -> partitions.maintain(later));
            assertThat(names(partitions)).contains("events_first");

            // once 30 days have passed that click too; the next month keeps its future event
            Instant laterStill = recent.plusDays(31).toInstant(ZoneOffset.UTC);
            long firstEnds = partitions.partitions().getFirst().to() - 1;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Long.parseLong(
                                    list(db, "SELECT folded_id FROM click_fold").getFirst())
                            >= firstEnds);
            await().atMost(Duration.ofSeconds(10)).until(() -> partitions.maintain(laterStill));
            assertThat(names(partitions))
                    .as("the first partition dropped, the next month's kept")
                    .doesNotContain("events_first")
                    .contains(month(next).name());
            assertThat(list(db, "SELECT count(*) FROM events WHERE url_id = " + linkId + " AND event_type = 'click'"))
                    .containsExactly("3");
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
                            .as("the statistics keep the dropped clicks, the imported ones among them")
                            .isEqualTo(8));
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
        return partitions(scratch, null);
    }

    private static EventPartitions partitions(TestDatabase.Scratch scratch, @Nullable Duration retention) {
        return new EventPartitions(
                scratch.db(),
                scratch.data(),
                new DataSourceTransactionManager(scratch.data()),
                new EventRetention(
                        scratch.db(), new EventLogSettings(retention, Duration.ofMinutes(10), Duration.ofSeconds(1))),
                new SimpleMeterRegistry());
    }

    private static Partition month(YearMonth month) {
        return new Partition(
                "events_" + month.toString().replace('-', '_'),
                MonthIds.firstId(month),
                MonthIds.firstId(month.plusMonths(1)));
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
