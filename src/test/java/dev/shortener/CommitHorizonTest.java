package dev.shortener;

import static dev.shortener.CursorPagingTest.ids;
import static dev.shortener.link.LinkFixtures.newLink;
import static dev.shortener.link.LinkFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Ids are taken from a sequence when a row is inserted and committed whenever its transaction ends,
 * so a smaller id can commit after a larger one. A walk by cursor must see both.
 */
class CommitHorizonTest extends ApiTest {

    @Autowired
    private Environment env;

    @Autowired
    private JdbcClient db;

    @Test
    void anEventThatCommitsAfterALaterOneIsNotSkippedByACursorWalk() throws SQLException {
        long link = newLink(api, newUser(api)).get("id").asLong();
        Walk walk = new Walk("/events?url_id=" + link + "&per_page=100");
        walk.step();
        try (Connection late = TestDatabase.connect(env)) {
            late.setAutoCommit(false);
            long lateId = insertEvent(late, link);
            long earlyId = postEvent(link);
            assertThat(earlyId).as("the later id commits first").isGreaterThan(lateId);

            walk.holdsBack(earlyId);
            late.commit();

            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(walk.step()).containsSubsequence(lateId, earlyId));
            assertThat(walk.seen).as("each once, in id order").endsWith(lateId, earlyId);
            assertThat(walk.seen).doesNotHaveDuplicates();
        }
    }

    /**
     * The holder of the smaller id has the newest transaction id and nothing after it has ended: a
     * snapshot's xmax is then at that transaction id, and its xmin too, though the holder still runs.
     */
    @Test
    void anIdHeldByTheNewestTransactionIsNotSkipped() throws SQLException {
        long link = newLink(api, newUser(api)).get("id").asLong();
        Walk walk = new Walk("/events?url_id=" + link + "&per_page=100");
        walk.step();
        try (Connection older = TestDatabase.connect(env);
                Connection newest = TestDatabase.connect(env)) {
            older.setAutoCommit(false);
            newest.setAutoCommit(false);
            try (PreparedStatement xid = older.prepareStatement("SELECT pg_current_xact_id()")) {
                xid.executeQuery().close();
            }
            long heldId = insertEvent(newest, link);
            long committedId = insertEvent(older, link);
            older.commit();

            walk.holdsBack(committedId);
            newest.commit();

            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(walk.step()).containsSubsequence(heldId, committedId));
            assertThat(walk.seen).doesNotHaveDuplicates();
        }
    }

    @Test
    void anIdRolledBackDoesNotHoldTheWalkBack() throws SQLException {
        long link = newLink(api, newUser(api)).get("id").asLong();
        Walk walk = new Walk("/events?url_id=" + link + "&per_page=100");
        walk.step();
        long earlyId;
        try (Connection late = TestDatabase.connect(env)) {
            late.setAutoCommit(false);
            insertEvent(late, link);
            earlyId = postEvent(link);
            late.rollback();
        }

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(walk.step()).contains(earlyId));
    }

    /** The horizon holds only if ids follow their transaction ids and sequences cache no values. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"users", "urls", "events"})
    void anIdIsTakenAfterItsTransactionIdFromAnUncachedSequence(String table) {
        String idDefault = db.sql("""
                        SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                        JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                        WHERE d.adrelid = ?::regclass AND a.attname = 'id'""").param(table).query(String.class).single();
        long cache = db.sql(
                        "SELECT seqcache FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence(?, 'id')::regclass")
                .param(table)
                .query(Long.class)
                .single();

        assertThat(idDefault.indexOf("pg_current_xact_id()"))
                .as(idDefault)
                .isNotNegative()
                .isLessThan(idDefault.indexOf("nextval("));
        assertThat(cache).isEqualTo(1);
    }

    private static long insertEvent(Connection connection, long link) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO events (url_id, event_type) VALUES (?, 'late') RETURNING id")) {
            insert.setLong(1, link);
            try (ResultSet id = insert.executeQuery()) {
                id.next();
                return id.getLong(1);
            }
        }
    }

    private long postEvent(long link) {
        return api.post("/events", Map.of("event_type", "early", "url_id", link))
                .expect(201)
                .json()
                .get("id")
                .asLong();
    }

    /** A client reading a list by cursor: each step asks for what follows the last id it saw. */
    private final class Walk {

        private final String list;
        private final List<Long> seen = new ArrayList<>();

        Walk(String list) {
            this.list = list;
        }

        /**
         * Steps on for longer than the horizon is cached, never reaching {@code id}: it stays out of
         * sight while a smaller id may still commit.
         */
        void holdsBack(long id) {
            await().during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> !step().contains(id));
        }

        List<Long> step() {
            long after = seen.isEmpty() ? 0 : seen.getLast();
            seen.addAll(ids(api.get(list + "&after=" + after).expect(200)));
            return seen;
        }
    }
}
