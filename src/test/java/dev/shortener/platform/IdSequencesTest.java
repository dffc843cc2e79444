package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shortener.ApiTest;
import dev.shortener.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Moves of an id sequence racing each other and the inserts' {@code nextval}s: no id is handed out
 * twice, and once a move returns no id at or below its target is handed out. On a database of its
 * own, with one table, hammered from several connections.
 */
class IdSequencesTest extends ApiTest {

    private static final int MOVES = 1_500;

    @Autowired
    private Environment env;

    @Test
    void movesRacingEachOtherAndInsertsNeverTakeTheSequenceBack() throws Exception {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "id_sequences_")) {
            scratch.db().sql("CREATE TABLE counted (id bigserial PRIMARY KEY)").update();
            Set<Long> drawn = ConcurrentHashMap.newKeySet();
            List<String> problems = new CopyOnWriteArrayList<>();
            AtomicLong target = new AtomicLong();
            AtomicBoolean moving = new AtomicBoolean(true);
            ExecutorService threads = Executors.newFixedThreadPool(5);
            try {
                List<Future<?>> drawers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    drawers.add(threads.submit(() -> {
                        try (Connection connection = scratch.data().getConnection()) {
                            JdbcClient db = client(connection);
                            while (moving.get()) {
                                long id = nextval(db);
                                if (!drawn.add(id)) {
                                    problems.add("id " + id + " handed out twice");
                                }
                            }
                        }
                        return null;
                    }));
                }
                List<Future<?>> movers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    // as an import does: short moves just past the ids drawn, long ones past a chunk of ids
                    movers.add(threads.submit(() -> {
                        try (Connection connection = scratch.data().getConnection()) {
                            JdbcClient db = client(connection);
                            for (int move = 0; move < MOVES; move++) {
                                long to = move % 3 == 0
                                        // far past the sequence, as past an import's chunk: a set goes back if
                                        // the drawers take more ids than its distance between its read and
                                        // its set (IdSequences), which a loaded machine allowed at 33
                                        ? target.accumulateAndGet(
                                                lastValue(db) + IdSequences.LONGEST_WALK * 50L, Math::max)
                                        : lastValue(db) + move % 3;
                                target.accumulateAndGet(to, Math::max);
                                IdSequences.movePast(db, "counted", to);
                                long next = nextval(db);
                                if (next <= to) {
                                    problems.add("moved past " + to + ", then handed out " + next);
                                }
                                drawn.add(next);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> mover : movers) {
                    mover.get(2, TimeUnit.MINUTES);
                }
                moving.set(false);
                for (Future<?> drawer : drawers) {
                    drawer.get(1, TimeUnit.MINUTES);
                }
            } finally {
                moving.set(false);
                threads.shutdownNow();
            }
            assertThat(problems).isEmpty();
            assertThat(drawn).hasSizeGreaterThan(MOVES);
        }
    }

    @Test
    void aMoveThatFailsLeavesNoLockBehind() throws SQLException {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "id_sequences_");
                // one connection, on which a session lock left behind would stay
                Connection connection = scratch.data().getConnection()) {
            JdbcClient db = client(connection);
            db.sql("CREATE TABLE counted (id serial PRIMARY KEY)").update();
            // past an int sequence's maximum: setval refuses it inside the lock
            assertThatThrownBy(() -> IdSequences.movePast(db, "counted", 1L << 40))
                    .isInstanceOf(DataAccessException.class);
            assertThat(db.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
                            .query(Long.class)
                            .single())
                    .isZero();
            IdSequences.movePast(db, "counted", 5_000);
            assertThat(nextval(db)).isEqualTo(5_001);
        }
    }

    @Test
    void aSequenceSetButNotYetDrawnFromIsNotTakenBack() {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "id_sequences_")) {
            JdbcClient db = scratch.db();
            db.sql("CREATE TABLE counted (id bigserial PRIMARY KEY)").update();
            // as ALTER SEQUENCE … RESTART leaves it: the next id is 100, none handed out yet
            db.sql("SELECT setval('counted_id_seq', 100, false)").query().singleValue();
            IdSequences.movePast(db, "counted", 50);
            assertThat(nextval(db)).isEqualTo(100);
        }
    }

    @Test
    void aMoveCancelledWhileItHoldsTheLockReleasesIt() throws Exception {
        try (TestDatabase.Scratch scratch = TestDatabase.scratch(env, "id_sequences_");
                Connection holder = scratch.data().getConnection();
                Connection mover = scratch.data().getConnection()) {
            JdbcClient db = scratch.db();
            db.sql("CREATE TABLE counted (id bigserial PRIMARY KEY)").update();
            // an ALTER SEQUENCE left open blocks the move's setval once it holds the lock
            holder.setAutoCommit(false);
            holder.createStatement().execute("ALTER SEQUENCE counted_id_seq CACHE 1");
            JdbcClient moving = client(mover);
            moving.sql("SET lock_timeout = 0").update();
            int pid = moving.sql("SELECT pg_backend_pid()").query(Integer.class).single();
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                Future<?> move = thread.submit(() -> IdSequences.movePast(moving, "counted", 5_000));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> db.sql("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = ?")
                                .param(pid)
                                .query(Boolean.class)
                                .optional()
                                .orElse(false));
                db.sql("SELECT pg_cancel_backend(?)").param(pid).query().singleValue();
                assertThatThrownBy(() -> move.get(10, TimeUnit.SECONDS))
                        .rootCause()
                        .hasMessageContaining("canceling statement due to user request");
            } finally {
                thread.shutdownNow();
                holder.rollback();
            }
            assertThat(moving.sql(
                                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
                            .query(Long.class)
                            .single())
                    .isZero();
        }
    }

    private static JdbcClient client(Connection connection) {
        return JdbcClient.create(new SingleConnectionDataSource(connection, true));
    }

    private static long nextval(JdbcClient db) {
        return db.sql("SELECT nextval('counted_id_seq')").query(Long.class).single();
    }

    private static long lastValue(JdbcClient db) {
        return db.sql("SELECT last_value FROM counted_id_seq").query(Long.class).single();
    }
}
