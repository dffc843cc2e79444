package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import dev.shortener.TestDatabase;
import dev.shortener.platform.MonthIds;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Migration V34 on a database that V33 made and filled, events in two partitions: every partition
 * gets its part of the index of a user's other events in id order, a partition attached afterwards
 * gets one too, and a page of a user's events reads the index in id order rather than reading all
 * of them and sorting. A run after a failed one finishes the job.
 */
class UserEventsIndexMigrationTest extends ApiTest {

    private static final String INDEX = "events_user_other_id_idx";
    private static final String DEFINITION = "(user_id, id) INCLUDE (event_type) WHERE event_type <> 'click'";
    /** A page of a user's other events before an id, as {@code GET /events?user_id=} walks them. */
    private static final String PAGE = "SELECT id FROM events WHERE user_id = 7 AND event_type <> 'click'"
            + " AND id > 0 AND id < %d ORDER BY id DESC LIMIT 10";

    @Autowired
    private Environment env;

    @Test
    void everyPartitionGetsItsPartAndAUsersPageReadsItInIdOrder() throws SQLException {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v34_")) {
            scratch.migrate("33");
            JdbcClient db = scratch.db();
            long second = secondPartition(db);
            List<Long> before = userEvents(db);
            assertThat(before).hasSize(600);

            scratch.migrate("latest");

            assertIndexedEverywhere(db);
            assertThat(userEvents(db)).isEqualTo(before);
            assertThat(plan(scratch.data(), second + 1_000))
                    .contains("Index Only Scan Backward using events_second_user_other_id_idx")
                    .doesNotContain("Sort");
            List<Long> page =
                    db.sql(PAGE.formatted(second + 1_000)).query(Long.class).list();
            assertThat(page).isEqualTo(before.reversed().subList(0, 10));

            // a month attached later, as EventPartitions does, gets its part on attaching
            long third = MonthIds.firstId(MonthIds.monthOf(second).plusMonths(1));
            db.sql("CREATE TABLE events_later (LIKE events INCLUDING DEFAULTS)").update();
            db.sql("ALTER TABLE events ATTACH PARTITION events_later FOR VALUES FROM (" + third + ") TO ("
                            + MonthIds.firstId(MonthIds.monthOf(third).plusMonths(1)) + ")")
                    .update();
            assertIndexedEverywhere(db);
        }
    }

    @Test
    void aRunAfterAFailedOneAttachesThePartBuiltAndBuildsTheOthers() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v34_")) {
            // as a run that failed between building the second partition's part and attaching it
            JdbcClient db = partlyBuilt(scratch, "events_second");
            long built = partOid(db);

            scratch.migrate("latest");

            assertIndexedEverywhere(db);
            assertThat(partOid(db))
                    .as("the part built before, attached as it was")
                    .isEqualTo(built);
        }
    }

    @Test
    void aParentLeftInvalidByAMonthDroppedSinceIsBuiltAgain() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "v34_")) {
            // as a run that failed before the second partition's part, which retention then dropped
            JdbcClient db = partlyBuilt(scratch, "events_first");
            db.sql("ALTER INDEX " + INDEX + " ATTACH PARTITION events_first_user_other_id_idx")
                    .update();
            db.sql("DROP TABLE events_second").update();

            scratch.migrate("latest");

            assertIndexedEverywhere(db);
            assertThat(userEvents(db)).hasSize(300);
        }
    }

    /**
     * The database at V33 with two months, the parent index, invalid, and {@code partition}'s part,
     * not attached, as a failed run leaves them.
     */
    private static JdbcClient partlyBuilt(TestDatabase.Scratch scratch, String partition) {
        scratch.migrate("33");
        JdbcClient db = scratch.db();
        secondPartition(db);
        db.sql("CREATE INDEX " + INDEX + " ON ONLY events " + DEFINITION).update();
        db.sql("CREATE INDEX " + partition + "_user_other_id_idx ON " + partition + " " + DEFINITION)
                .update();
        return db;
    }

    private static long partOid(JdbcClient db) {
        return db.sql("SELECT 'events_second_user_other_id_idx'::regclass::oid::bigint")
                .query(Long.class)
                .single();
    }

    /**
     * A second month's partition, and 600 events of user 7 other than clicks over both, among clicks
     * of the same user and events of others; returns the second partition's first id.
     */
    private static long secondPartition(JdbcClient db) {
        // where the last partition ends
        long from = db.sql("""
                        SELECT max(substring(pg_get_expr(p.relpartbound, p.oid) FROM 'TO \\(''?(\\d+)')::bigint)
                        FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass""").query(Long.class).single();
        db.sql("CREATE TABLE events_second (LIKE events INCLUDING DEFAULTS)").update();
        db.sql("ALTER TABLE events ATTACH PARTITION events_second FOR VALUES FROM (" + from + ") TO ("
                        + MonthIds.firstId(MonthIds.monthOf(from).plusMonths(1)) + ")")
                .update();
        db.sql("""
                        INSERT INTO events (url_id, user_id, event_type, details)
                        SELECT g, CASE WHEN g % 3 = 0 THEN 8 ELSE 7 END,
                               CASE WHEN g % 2 = 0 THEN 'click' ELSE 'created' END, '{}'
                        FROM generate_series(1, 900) g""").update();
        db.sql("""
                        INSERT INTO events (id, url_id, user_id, event_type, details)
                        SELECT :from + g, g, 7, CASE WHEN g % 4 = 0 THEN 'updated' ELSE 'created' END, '{}'
                        FROM generate_series(1, 300) g""").param("from", from).update();
        return from;
    }

    private static List<Long> userEvents(JdbcClient db) {
        return db.sql("SELECT id FROM events WHERE user_id = 7 AND event_type <> 'click' ORDER BY id")
                .query(Long.class)
                .list();
    }

    private static void assertIndexedEverywhere(JdbcClient db) {
        assertThat(db.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = '" + INDEX + "'::regclass")
                        .query(Boolean.class)
                        .single())
                .isTrue();
        assertThat(db.sql("""
                        SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
                        WHERE i.inhparent = 'events'::regclass
                          AND NOT EXISTS (SELECT 1 FROM pg_inherits x JOIN pg_index part ON part.indexrelid = x.inhrelid
                                          WHERE x.inhparent = '%s'::regclass AND part.indrelid = p.oid
                                            AND part.indisvalid)""".formatted(INDEX)).query(String.class).list())
                .as("partitions without a valid part of " + INDEX)
                .isEmpty();
    }

    private static String plan(DataSource data, long before) throws SQLException {
        try (Connection connection = data.getConnection();
                Statement sql = connection.createStatement()) {
            // as the API's fanned-out pages run (IdList): sorts only where nothing else orders the rows
            sql.execute("SET enable_sort = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = sql.executeQuery("EXPLAIN " + PAGE.formatted(before))) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }
}
