package dev.shortener.importing.load;

import dev.shortener.importing.load.ChunkLoader.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Set;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The way a chunk that is not all new is applied, within the loader's transaction: staged, rid of
 * the rows refused for a reason known in advance, then upserted under savepoints and bisected
 * until the rows the database refuses alone are isolated.
 */
final class StagedUpsert {

    private StagedUpsert() {}

    /** Applies {@code rows}, whose ids are summed up in {@code ids}. */
    static Outcome load(Connection connection, Entity entity, List<? extends Row> rows, LongSummaryStatistics ids)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(entity.sql.createStaging());
        }
        stage(connection, entity, rows);
        List<RowFailure> failures = new ArrayList<>();
        refuse(connection, entity, rows, failures);
        List<String> cacheKeys = previousCacheKeys(connection, entity);
        apply(connection, entity, entity.sql.upserts(ids), rows, 0, rows.size() - 1, failures);
        failures.sort(Comparator.comparingLong(RowFailure::line));
        Set<Long> failed = new HashSet<>();
        failures.forEach(failure -> failed.add(failure.line()));
        cacheKeys.addAll(ChunkLoader.cacheKeys(rows, failed));
        return new Outcome(rows.size() - failures.size(), failures, cacheKeys);
    }

    private static void stage(Connection connection, Entity entity, List<? extends Row> rows) throws SQLException {
        StagingWriter.copy(connection, entity.sql.stage(), staging -> {
            for (int ord = 0; ord < rows.size(); ord++) {
                Row row = rows.get(ord);
                staging.add(ord).add(row.line());
                row.stage(staging);
                staging.endRow();
            }
        });
    }

    private static List<String> previousCacheKeys(Connection connection, Entity entity) throws SQLException {
        List<String> keys = new ArrayList<>();
        String previousCacheKeys = entity.sql.previousCacheKeys();
        if (previousCacheKeys != null) {
            try (PreparedStatement statement = connection.prepareStatement(previousCacheKeys);
                    ResultSet previous = statement.executeQuery()) {
                while (previous.next()) {
                    keys.add(previous.getString(1));
                }
            }
        }
        return keys;
    }

    /** Removes the staged rows that would break a constraint for a reason known in advance. */
    private static void refuse(
            Connection connection, Entity entity, List<? extends Row> rows, List<RowFailure> failures)
            throws SQLException {
        for (LoadSql.Refusal refusal : entity.sql.refusals()) {
            try (PreparedStatement statement = connection.prepareStatement(refusal.sql());
                    ResultSet refused = statement.executeQuery()) {
                while (refused.next()) {
                    failures.add(new RowFailure(
                            rows.get(refused.getInt(1)).line(),
                            entity.explainRefusal(refusal.constraint(), refused.getString(2))));
                }
            }
        }
    }

    /** Applies rows {@code from..to} (positions in the chunk), bisecting when the data is refused. */
    private static void apply(
            Connection connection,
            Entity entity,
            List<String> upserts,
            List<? extends Row> rows,
            int from,
            int to,
            List<RowFailure> failures)
            throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            for (String sql : upserts) {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setInt(1, from);
                    statement.setInt(2, to);
                    statement.executeUpdate();
                }
            }
            connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            connection.rollback(savepoint);
            if (!ChunkLoader.refusesData(e)) {
                throw e;
            }
            if (from == to) {
                failures.add(new RowFailure(rows.get(from).line(), explain(entity, e)));
                return;
            }
            int middle = (from + to) >>> 1;
            apply(connection, entity, upserts, rows, from, middle, failures);
            apply(connection, entity, upserts, rows, middle + 1, to, failures);
        }
    }

    private static String explain(Entity entity, SQLException e) {
        ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        if (server == null) {
            return entity.explain(null, null, String.valueOf(e.getMessage()));
        }
        return entity.explain(server.getConstraint(), server.getDetail(), String.valueOf(server.getMessage()));
    }
}
