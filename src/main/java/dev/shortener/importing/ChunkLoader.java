package dev.shortener.importing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;

/**
 * Loads one chunk of rows of one entity in one transaction: COPY into a temporary staging table,
 * removal of the staged rows refused for a reason known in advance (an unknown user, an e-mail
 * address or short code another id holds), then the entity's set statements over the rest of
 * the chunk. When a set statement still fails because of
 * the data (a foreign key, a unique e-mail address or short code, a value the column refuses),
 * the chunk is bisected under savepoints until the rows that fail alone are isolated; every other
 * row is applied. A row is in or out, never half-written. Failures that are not about the data
 * (timeouts, a lost connection) fail the whole chunk as a {@link
 * org.springframework.dao.DataAccessException}, and nothing of it is written.
 */
@Component
class ChunkLoader {

    /** What became of a chunk: how many rows were applied and why the others were refused. */
    record Outcome(int imported, List<RowFailure> failures) {}

    private final DataSource dataSource;
    private final ImportSettings settings;
    private final SQLExceptionTranslator translator;

    ChunkLoader(DataSource dataSource, ImportSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
    }

    Outcome load(Entity entity, List<? extends Row> rows) {
        if (rows.isEmpty()) {
            return new Outcome(0, List.of());
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Outcome outcome = load(connection, entity, rows);
                connection.commit();
                return outcome;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw translator.translate("import of " + rows.size() + " " + entity.table(), null, e);
        }
    }

    private Outcome load(Connection connection, Entity entity, List<? extends Row> rows) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL statement_timeout = "
                    + settings.statementTimeout().toMillis());
            // Every statement joins one chunk to large indexed tables: index lookups per staged row
            // are right whatever the statistics say. During a bulk load they lag behind, and a hash
            // join would scan the whole table once per chunk.
            statement.execute("SET LOCAL enable_hashjoin = off");
            statement.execute("SET LOCAL enable_mergejoin = off");
            statement.execute(entity.createStaging);
        }
        stage(connection, entity, rows);
        long maxId = rows.stream()
                .map(Row::id)
                .filter(id -> id != null)
                .mapToLong(Long::longValue)
                .max()
                .orElse(0);
        if (maxId > 0) {
            // Non-transactional: creates that start after this never draw an imported id.
            try (PreparedStatement move = connection.prepareStatement(entity.moveSequence)) {
                move.setLong(1, maxId);
                move.execute();
            }
        }
        List<RowFailure> failures = new ArrayList<>();
        refuse(connection, entity, rows, failures);
        apply(connection, entity, rows, 0, rows.size() - 1, failures);
        failures.sort(Comparator.comparingLong(RowFailure::line));
        return new Outcome(rows.size() - failures.size(), failures);
    }

    private static void stage(Connection connection, Entity entity, List<? extends Row> rows) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        try (Writer out = new BufferedWriter(new OutputStreamWriter(
                new PGCopyOutputStream(postgres, entity.copy, 1 << 16), StandardCharsets.UTF_8))) {
            StagingWriter staging = new StagingWriter(out);
            for (int ord = 0; ord < rows.size(); ord++) {
                Row row = rows.get(ord);
                staging.add(ord).add(row.line());
                row.stage(staging);
                staging.endRow();
            }
        } catch (IOException | UncheckedIOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof SQLException sql) {
                    throw sql;
                }
            }
            throw new SQLException("COPY into the staging table failed", "08000", e);
        }
    }

    /** Removes the staged rows that would break a constraint for a reason known in advance. */
    private static void refuse(
            Connection connection, Entity entity, List<? extends Row> rows, List<RowFailure> failures)
            throws SQLException {
        for (Map.Entry<String, String> refusal : entity.refusals.entrySet()) {
            try (PreparedStatement statement = connection.prepareStatement(refusal.getKey());
                    ResultSet refused = statement.executeQuery()) {
                while (refused.next()) {
                    failures.add(new RowFailure(
                            rows.get(refused.getInt(1)).line(),
                            entity.explainRefusal(refusal.getValue(), refused.getString(2))));
                }
            }
        }
    }

    /** Applies rows {@code from..to} (positions in the chunk), bisecting when the data is refused. */
    private static void apply(
            Connection connection, Entity entity, List<? extends Row> rows, int from, int to, List<RowFailure> failures)
            throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            for (String sql : entity.statements) {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setInt(1, from);
                    statement.setInt(2, to);
                    statement.executeUpdate();
                }
            }
            connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            connection.rollback(savepoint);
            if (!refusesData(e)) {
                throw e;
            }
            if (from == to) {
                failures.add(new RowFailure(rows.get(from).line(), explain(entity, e)));
                return;
            }
            int middle = (from + to) >>> 1;
            apply(connection, entity, rows, from, middle, failures);
            apply(connection, entity, rows, middle + 1, to, failures);
        }
    }

    /** Integrity violations (class 23), data exceptions (class 22) and cardinality (21000). */
    private static boolean refusesData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("23") || state.startsWith("22") || state.equals("21000"));
    }

    private static String explain(Entity entity, SQLException e) {
        ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        if (server == null) {
            return entity.explain(null, null, String.valueOf(e.getMessage()));
        }
        return entity.explain(server.getConstraint(), server.getDetail(), String.valueOf(server.getMessage()));
    }
}
