package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A user's events other than clicks in id order. V22's index held them by type, so every page of a
 * user's events read and sorted all of them; one with a hundred thousand links paid for each of
 * their events on every page. The index now holds them by id, the type carried along for counts by
 * type read from the index alone (ADR 0017). A partitioned index cannot be built concurrently, so each
 * partition's is built so and attached: instances keep writing meanwhile. In Java, as partitions are
 * known only when it runs; every step may run again after a failure.
 */
public class V34__events_of_a_user_in_id_order extends BaseJavaMigration {

    static final String INDEX = "events_user_other_id_idx";
    private static final String DEFINITION = "(user_id, id) INCLUDE (event_type) WHERE event_type <> 'click'";

    /** Partitions without their part of the index, and the name their part takes. */
    private static final String UNINDEXED = """
            SELECT p.oid::regclass::text, quote_ident(p.relname || '_user_other_id_idx')
            FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_inherits x JOIN pg_index part ON part.indexrelid = x.inhrelid
                              WHERE x.inhparent = '%s'::regclass AND part.indrelid = p.oid)
            ORDER BY p.relname""".formatted(INDEX);

    @Override
    public boolean canExecuteInTransaction() {
        // CREATE INDEX CONCURRENTLY runs outside a transaction
        return false;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        try (Statement sql = connection.createStatement()) {
            // invalid until each partition has its part attached; a partition attached meanwhile
            // gets its part then
            sql.execute("CREATE INDEX IF NOT EXISTS " + INDEX + " ON ONLY events " + DEFINITION);
            for (String[] partition : unindexed(sql)) {
                // a build that failed leaves an invalid index under that name
                sql.execute("DROP INDEX CONCURRENTLY IF EXISTS " + partition[1]);
                sql.execute("CREATE INDEX CONCURRENTLY " + partition[1] + " ON " + partition[0] + " " + DEFINITION);
                sql.execute("ALTER INDEX " + INDEX + " ATTACH PARTITION " + partition[1]);
            }
            try (ResultSet valid =
                    sql.executeQuery("SELECT indisvalid FROM pg_index WHERE indexrelid = '" + INDEX + "'::regclass")) {
                // the last attach validates the parent's; anything else is a bug to hear of, not a slow page
                if (!valid.next() || !valid.getBoolean(1)) {
                    throw new IllegalStateException(INDEX + " is not valid after every partition's was attached");
                }
            }
            dropOldIndex(connection, sql);
        }
    }

    /** Dropping a partitioned index locks events: its writers are waited for briefly, as in V32. */
    private static void dropOldIndex(Connection connection, Statement sql) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            sql.execute("SET LOCAL lock_timeout = '2s'");
            sql.execute("DROP INDEX IF EXISTS events_user_other_type_idx");
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static List<String[]> unindexed(Statement sql) throws SQLException {
        List<String[]> partitions = new ArrayList<>();
        try (ResultSet rows = sql.executeQuery(UNINDEXED)) {
            while (rows.next()) {
                partitions.add(new String[] {rows.getString(1), rows.getString(2)});
            }
        }
        return partitions;
    }
}
