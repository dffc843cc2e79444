package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.jspecify.annotations.Nullable;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * A user's events other than clicks in id order. V22's index holds them by type, so every page of a
 * user's events read and sorted all of them; one with a hundred thousand links paid for each of
 * their events on every page. This index holds them by id, the type carried along, leaving clicks
 * out as V22's does (which stays for a type's count and a rare type's page). A partitioned index
 * cannot be built concurrently, so each partition's part is built so and attached (ADR 0020):
 * instances keep writing meanwhile. In Java, as partitions are known only when it runs; a run
 * after a failed one (and Flyway's repair) finishes the job.
 */
public class V34__events_of_a_user_in_id_order extends BaseJavaMigration {

    static final String INDEX = "events_user_other_id_idx";
    private static final String DEFINITION = "(user_id, id) INCLUDE (event_type) WHERE event_type <> 'click'";
    /** EventPartitions' lock: no month is attached or dropped while the parts are built. */
    private static final String PARTITIONS = "hashtext('events partitions')";

    /** Partitions without their part, the name of their part, and whether an index of that name is valid. */
    private static final String UNINDEXED = """
            SELECT p.oid::regclass::text, quote_ident(p.relname || '_user_other_id_idx'),
                   (SELECT x.indisvalid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                    WHERE x.indrelid = p.oid AND c.relname = p.relname || '_user_other_id_idx')
            FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_inherits x JOIN pg_index part ON part.indexrelid = x.inhrelid
                              WHERE x.inhparent = to_regclass('%1$s') AND part.indrelid = p.oid)
            ORDER BY p.relname""".formatted(INDEX);

    private static final String VALID =
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('%s')".formatted(INDEX);

    /**
     * A catalog change waits 2 s for its lock, then lets the writers queued behind it go and tries
     * again, rather than hold them for the migration's 30 s lock timeout behind a long import chunk.
     */
    private static final RetryTemplate BRIEFLY = new RetryTemplate(RetryPolicy.builder()
            .predicate(e -> e instanceof SQLException sql && "55P03".equals(sql.getSQLState()))
            .maxRetries(30)
            .delay(Duration.ofSeconds(1))
            .build());

    private record Partition(
            String table, String part, @Nullable Boolean valid) {}

    @Override
    public boolean canExecuteInTransaction() {
        // CREATE INDEX CONCURRENTLY runs outside a transaction
        return false;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        try (Statement sql = connection.createStatement()) {
            // Waiting for EventPartitions' lock, and the builds' waits for older transactions, queue
            // no writer: they wait as long as they take (the migration's statement timeout bounds them)
            // rather than fail the migration at the 30 s lock timeout, which would need a repair.
            String lockTimeout = setting(sql, "lock_timeout");
            sql.execute("SET lock_timeout = 0");
            sql.execute("SELECT pg_advisory_lock(" + PARTITIONS + ")");
            try {
                List<Partition> unindexed = unindexed(sql);
                if (unindexed.isEmpty() && Boolean.FALSE.equals(valid(sql))) {
                    // a failed run's, whose last partition without a part was dropped since: only an
                    // attach makes a partitioned index valid, so it is built again
                    briefly(connection, "DROP INDEX " + INDEX);
                }
                // invalid until each partition has its part attached; a month attached later gets its part then
                briefly(connection, "CREATE INDEX IF NOT EXISTS " + INDEX + " ON ONLY events " + DEFINITION);
                for (Partition partition : unindexed(sql)) {
                    if (!Boolean.TRUE.equals(partition.valid())) {
                        // a build that failed leaves an invalid index under that name
                        sql.execute("DROP INDEX CONCURRENTLY IF EXISTS " + partition.part());
                        sql.execute("CREATE INDEX CONCURRENTLY " + partition.part() + " ON " + partition.table() + " "
                                + DEFINITION);
                    }
                    briefly(connection, "ALTER INDEX " + INDEX + " ATTACH PARTITION " + partition.part());
                }
                if (!Boolean.TRUE.equals(valid(sql))) {
                    throw new IllegalStateException(INDEX + " is not valid after every partition's part was attached");
                }
            } finally {
                sql.execute("SELECT pg_advisory_unlock(" + PARTITIONS + ")");
                sql.execute("SELECT set_config('lock_timeout', '" + lockTimeout + "', false)");
            }
        }
    }

    private static List<Partition> unindexed(Statement sql) throws SQLException {
        List<Partition> partitions = new ArrayList<>();
        try (ResultSet rows = sql.executeQuery(UNINDEXED)) {
            while (rows.next()) {
                partitions.add(new Partition(rows.getString(1), rows.getString(2), rows.getObject(3, Boolean.class)));
            }
        }
        return partitions;
    }

    private static String setting(Statement sql, String name) throws SQLException {
        try (ResultSet row = sql.executeQuery("SELECT current_setting('" + name + "')")) {
            row.next();
            return row.getString(1);
        }
    }

    private static @Nullable Boolean valid(Statement sql) throws SQLException {
        try (ResultSet row = sql.executeQuery(VALID)) {
            return row.next() ? row.getBoolean(1) : null;
        }
    }

    /** {@code statement} in a transaction of its own that waits at most 2 s for its locks, retried. */
    private static void briefly(Connection connection, String statement) throws Exception {
        boolean autoCommit = connection.getAutoCommit();
        try {
            BRIEFLY.execute(() -> {
                connection.setAutoCommit(false);
                try (Statement sql = connection.createStatement()) {
                    sql.execute("SET LOCAL lock_timeout = '2s'");
                    sql.execute(statement);
                    connection.commit();
                } catch (SQLException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
                return null;
            });
        } catch (RetryException e) {
            // the statement's own failure, not the retry policy's wrapper, in the migration's report
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
