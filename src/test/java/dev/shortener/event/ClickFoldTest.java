package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The fold of stored clicks into the rollup (V29): counts stay exact before, during and after it. */
class ClickFoldTest extends ApiTest {

    private static final long SECOND = 1_796_000_000_000L;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient db;

    @Autowired
    Environment env;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ClickFold fold;

    @Test
    void storedClicksAreCountedBeforeTheFoldAndFoldedIntoTheRollupOnce() throws SQLException {
        long urlId = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
        ClickSink sink = new PostgresClickSink(dataSource, Duration.ofSeconds(5));
        UUID journal = UUID.randomUUID();
        sink.storedPosition(journal);
        CopyText records = new CopyText(64);
        for (int n = 0; n < 5; n++) {
            ClickRecords.append(
                    records,
                    new Click(
                            urlId,
                            900_000_000_003L,
                            "f",
                            "https://example.com/f",
                            n < 3 ? "https://a/" : null,
                            null,
                            SECOND));
        }
        assertThat(store(sink, journal, records, 5)).isTrue();

        assertThat(counted("clicks_counted", urlId)).as("counted at once").containsExactly("=2", "https://a/=3");
        long newest = db.sql("SELECT max(id) FROM events WHERE url_id = ?")
                .param(urlId)
                .query(Long.class)
                .single();
        await().atMost(Duration.ofSeconds(20)).until(() -> fold.foldAll() >= newest);

        assertThat(counted("click_counts", urlId)).as("in the rollup").containsExactly("=2", "https://a/=3");
        assertThat(counted("clicks_counted", urlId)).as("and once").containsExactly("=2", "https://a/=3");
    }

    @Test
    void aFoldGivesWayToAStatementThatReadTheFoldedIdBeforeItAndCountsItsRowsOnceItCommits() throws Exception {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "fold_")) {
            scratch.migrate("latest");
            JdbcClient other = scratch.db();
            other.sql("SELECT nextval('events_id_seq') FROM generate_series(1, 5)")
                    .query(Long.class)
                    .list();
            long id = other.sql("SELECT nextval('events_id_seq')")
                    .query(Long.class)
                    .single();
            assertThat(folded(other)).isLessThan(id);

            try (Connection writer = scratch.data().getConnection()) {
                writer.setAutoCommit(false);
                try (Statement insert = writer.createStatement()) {
                    // an import's row: its id is below the horizon while it is not committed
                    insert.execute("INSERT INTO events (id, url_id, event_type, details) VALUES (" + id
                            + ", 7, 'click', '{\"referrer\": \"r\"}')");
                }
                assertThatThrownBy(() -> other.sql("SELECT fold_clicks(?, ?)")
                                .params(id + 100, 1_000_000)
                                .query(Long.class)
                                .single())
                        .as("a fold gives way to the statement rather than pass its row")
                        .hasMessageContaining("lock timeout");
                assertThat(folded(other)).isLessThan(id);
                writer.commit();
            }

            assertThat(other.sql("SELECT fold_clicks(?, ?)")
                            .params(id + 100, 1_000_000)
                            .query(Long.class)
                            .single())
                    .isEqualTo(id + 100);
            assertThat(counted(other, "click_counts", 7)).containsExactly("r=1");
            assertThat(counted(other, "clicks_counted", 7)).containsExactly("r=1");
        }
    }

    @Test
    void rowsAtOrBelowTheFoldedIdAreCountedByTheirStatementAndTheOthersByTheFold() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "fold_")) {
            scratch.migrate("latest");
            JdbcClient other = scratch.db();
            other.sql("SELECT fold_clicks(1000, 1000000)").query(Long.class).single();

            other.sql(
                            "INSERT INTO events (id, url_id, event_type, details) VALUES (500, 7, 'click', '{\"referrer\": \"old\"}')")
                    .update();
            assertThat(counted(other, "click_counts", 7)).containsExactly("old=1");
            other.sql(
                            "INSERT INTO events (id, url_id, event_type, details) VALUES (1500, 7, 'click', '{\"referrer\": \"new\"}')")
                    .update();
            assertThat(counted(other, "click_counts", 7)).containsExactly("old=1");
            assertThat(counted(other, "clicks_counted", 7)).containsExactly("new=1", "old=1");

            other.sql("UPDATE events SET details = '{\"referrer\": \"moved\"}'").update();
            assertThat(counted(other, "click_counts", 7)).containsExactly("moved=1");
            assertThat(counted(other, "clicks_counted", 7)).containsExactly("moved=2");

            assertThat(other.sql("SELECT fold_clicks(2000, 1000000)")
                            .query(Long.class)
                            .single())
                    .isEqualTo(2000);
            assertThat(counted(other, "click_counts", 7)).containsExactly("moved=2");
            other.sql("DELETE FROM events WHERE id = 500").update();
            assertThat(counted(other, "clicks_counted", 7)).containsExactly("moved=1");
            assertThat(other
                            .sql("SELECT events FROM event_tallies WHERE event_type = 'click'")
                            .query(Long.class)
                            .list()
                            .stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .isOne();
        }
    }

    @Test
    void aFoldCountsNarrowAndWideClicksOfOneReferrerTogetherAndAddsTheTextsTheDictionaryLacks() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "fold_")) {
            scratch.migrate("latest");
            JdbcClient other = scratch.db();
            other.sql("SELECT fold_clicks(1000, 1000000)").query(Long.class).single();
            other.sql(
                            "INSERT INTO click_texts (text) VALUES ('s'), ('https://example.com/s'), ('https://known/'), ('')")
                    .update();
            // narrow rows as the loader stores them, wide ones as an import or POST /events does
            String narrow = "INSERT INTO events (id, url_id, event_type, short_code_id, original_url_id, referrer_id)"
                    + " VALUES (?, 7, 'click', click_text_id('s'), click_text_id('https://example.com/s'),"
                    + " click_text_id(?))";
            String wide = "INSERT INTO events (id, url_id, event_type, details) VALUES (?, 7, 'click',"
                    + " jsonb_build_object('referrer', ?::text))";
            other.sql(narrow).params(1001, "https://known/").update();
            other.sql(wide).params(1002, "https://known/").update();
            other.sql(wide).params(1003, "https://new/").update();
            other.sql(narrow).params(1004, "").update();
            other.sql(wide).params(1005, "").update();
            other.sql(wide).params(1006, null).update();

            assertThat(other.sql("SELECT fold_clicks(2000, 1000000)")
                            .query(Long.class)
                            .single())
                    .isEqualTo(2000);
            assertThat(counted(other, "click_counts", 7)).containsExactly("=3", "https://known/=2", "https://new/=1");
            assertThat(other.sql("SELECT sum(clicks) FROM click_totals_queue WHERE url_id = 7")
                            .query(Long.class)
                            .single())
                    .isEqualTo(6);

            // the text added by the first fold is known to the second
            other.sql(wide).params(2001, "https://new/").update();
            other.sql(wide).params(2002, "https://newer/").update();
            assertThat(other.sql("SELECT fold_clicks(3000, 1000)")
                            .query(Long.class)
                            .single())
                    .as("a span of as many ids as a fold may take, folded without looking for where to stop")
                    .isEqualTo(3000);
            assertThat(counted(other, "click_counts", 7))
                    .containsExactly("=3", "https://known/=2", "https://new/=2", "https://newer/=1");
            assertThat(counted(other, "clicks_counted", 7)).isEqualTo(counted(other, "click_counts", 7));
        }
    }

    @Test
    void aWideClickWhoseReferrerTheDictionaryCannotTakeIsFoldedAsNoReferrer() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "fold_")) {
            scratch.migrate("latest");
            JdbcClient other = scratch.db();
            // texts of one length collide here, as two texts of one md5 would
            other.sql("DROP INDEX click_texts_key").update();
            other.sql("CREATE UNIQUE INDEX click_texts_key ON click_texts (length(text))")
                    .update();
            other.sql("SELECT fold_clicks(1000, 1000000)").query(Long.class).single();
            other.sql("INSERT INTO click_texts (text) VALUES ('https://known/')")
                    .update();
            String wide = "INSERT INTO events (id, url_id, event_type, details) VALUES (?, 7, 'click',"
                    + " jsonb_build_object('referrer', ?::text))";
            other.sql(wide).params(1001, "https://other/").update();
            other.sql(wide).params(1002, "https://known/").update();

            other.sql("SELECT fold_clicks(2000, 1000000)").query(Long.class).single();

            assertThat(counted(other, "click_counts", 7)).containsExactly("=1", "https://known/=1");
            assertThat(other.sql("SELECT details ->> 'referrer' FROM events WHERE id = 1001")
                            .query(String.class)
                            .single())
                    .as("the event keeps its referrer")
                    .isEqualTo("https://other/");
        }
    }

    @Test
    void theLoadersCopyDoesNotWaitForAFoldThatOtherWritersWaitFor() throws Exception {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "fold_")) {
            scratch.migrate("latest");
            JdbcClient other = scratch.db();
            ClickSink sink = new PostgresClickSink(scratch.data(), Duration.ofSeconds(5));
            UUID journal = UUID.randomUUID();
            sink.storedPosition(journal);
            CopyText records = new CopyText(64);
            ClickRecords.append(records, new Click(7, null, "w", "https://example.com/w", null, null, SECOND));
            try (Connection folding = scratch.data().getConnection()) {
                // a fold under way holds its lock
                folding.setAutoCommit(false);
                try (Statement lock = folding.createStatement()) {
                    lock.execute("SELECT pg_advisory_xact_lock(click_fold_lock())");
                }
                CompletableFuture<Boolean> stored = CompletableFuture.supplyAsync(() -> {
                    try {
                        return store(sink, journal, records, 1);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                CompletableFuture<Integer> written = CompletableFuture.supplyAsync(
                        () -> other.sql("INSERT INTO events (url_id, event_type) VALUES (8, 'share')")
                                .update());

                assertThat(stored.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("the loader's COPY went through")
                        .isTrue();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> other.sql(
                                                "SELECT count(*) FROM pg_stat_activity"
                                                        + " WHERE query LIKE 'INSERT INTO events%' AND wait_event_type = 'Lock'")
                                        .query(Long.class)
                                        .single()
                                == 1);
                assertThat(written).as("another writer waits for the fold").isNotDone();
                folding.commit();
                assertThat(written.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .isOne();
            }
            assertThat(counted(other, "clicks_counted", 7)).containsExactly("=1");
        }
    }

    @Test
    void theTimeSinceTheFoldCaughtUpGrowsWhileItIsHeldBackAndFallsOnceItFolds() throws SQLException {
        try (Connection holdsTheFold = holdTheFold(dataSource)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> sinceCaughtUp() > 3);
            holdsTheFold.commit();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> sinceCaughtUp() < 2);
    }

    private double sinceCaughtUp() {
        return meters.get("shortener.clicks.fold.since.caught.up").gauge().value();
    }

    /**
     * A transaction that holds the fold's lock shared, as a writer of events that read the folded id
     * does (V29): no fold moves while it is open.
     */
    static Connection holdTheFold(DataSource dataSource) throws SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_xact_lock_shared(click_fold_lock())");
        }
        return connection;
    }

    @Test
    void aFoldStepsOverEventsNotIdsSoAMonthsJumpOfTheSequenceCostsNothing() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "fold_")) {
            scratch.migrate("latest");
            JdbcClient other = scratch.db();
            other.sql("INSERT INTO events (id, url_id, event_type) VALUES (10, 7, 'click')")
                    .update();
            // as a month begins: its ids start far above the last month's (ADR 0020)
            other.sql("SELECT setval('events_id_seq', 10000000000000)")
                    .query(Long.class)
                    .single();
            other.sql("INSERT INTO events (url_id, event_type) VALUES (7, 'click')")
                    .update();

            assertThat(other.sql("SELECT fold_clicks(10000000000001, 1)")
                            .query(Long.class)
                            .single())
                    .isEqualTo(10);
            assertThat(other.sql("SELECT fold_clicks(10000000000001, 1)")
                            .query(Long.class)
                            .single())
                    .isEqualTo(10000000000001L);
            assertThat(counted(other, "click_counts", 7)).containsExactly("=2");
        }
    }

    /** Stores the clicks of {@code records} as the journal's first chunk. */
    private static boolean store(ClickSink sink, UUID journal, CopyText records, int clicks) throws SQLException {
        return sink.store(
                journal,
                new JournalReader.Chunk(
                        new ClickJournal.Position(0, 0),
                        new ClickJournal.Position(0, 9),
                        clicks,
                        SECOND,
                        records.length(),
                        false,
                        false),
                records.bytes());
    }

    private static long folded(JdbcClient target) {
        return target.sql("SELECT folded_id FROM click_fold").query(Long.class).single();
    }

    private java.util.List<String> counted(String relation, long urlId) {
        return counted(db, relation, urlId);
    }

    /** A link's clicks per referrer in the rollup or the view, in referrer order. */
    private static java.util.List<String> counted(JdbcClient target, String relation, long urlId) {
        // the rollup keeps the referrer's id (V30), the view its text too
        String referrer = relation.equals("click_counts") ? "coalesce(click_text(referrer_id), '')" : "referrer";
        return target.sql("SELECT " + referrer + " || '=' || sum(clicks) FROM " + relation
                        + " WHERE url_id = ? GROUP BY " + referrer + " HAVING sum(clicks) <> 0 ORDER BY 1")
                .param(urlId)
                .query(String.class)
                .list();
    }
}
