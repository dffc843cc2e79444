package dev.shortener.importing.load;

import dev.shortener.importing.ImportSettings;
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
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

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
public class ChunkLoader {

    /**
     * What became of a chunk: how many rows were applied, why the others were refused, and the
     * cache keys of the rows applied and of the keys they replaced, to evict after the commit.
     */
    public record Outcome(int imported, List<RowFailure> failures, List<String> cacheKeys) {

        public Outcome(int imported, List<RowFailure> failures) {
            this(imported, failures, List.of());
        }
    }

    /** Chunks of an entity left to go straight to the upsert, after a COPY of new rows failed. */
    private static final int UPSERT_ONLY_AFTER_CONFLICT = 16;

    private final AtomicIntegerArray upsertOnly = new AtomicIntegerArray(Entity.values().length);
    private final DataSource dataSource;
    private final ImportSettings settings;
    private final TransactionTemplate transactions;
    private final SQLExceptionTranslator translator;

    ChunkLoader(DataSource dataSource, ImportSettings settings, PlatformTransactionManager transactions) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.transactions = new TransactionTemplate(transactions);
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
    }

    /** Loads the rows in a transaction of their own. */
    Outcome load(Entity entity, List<? extends Row> rows) {
        if (rows.isEmpty()) {
            return new Outcome(0, List.of());
        }
        return transactions.execute(status -> loadWithin(entity, rows));
    }

    /**
     * Loads the rows within the caller's transaction, so that the caller can record what became of
     * them in the same commit. A failure that is not about the data leaves the transaction to be
     * rolled back.
     */
    public Outcome loadWithin(Entity entity, List<? extends Row> rows) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("loadWithin needs a transaction");
        }
        if (rows.isEmpty()) {
            return new Outcome(0, List.of());
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            return load(connection, entity, rows);
        } catch (SQLException e) {
            throw translate("import of " + rows.size() + " " + entity.table(), e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    DataAccessException translate(String task, SQLException e) {
        DataAccessException translated = translator.translate(task, null, e);
        return translated != null ? translated : new UncategorizedSQLException(task, null, e);
    }

    private Outcome load(Connection connection, Entity entity, List<? extends Row> rows) throws SQLException {
        // longer than the application's socket timeout allows; the pool restores it on return
        connection.setNetworkTimeout(
                Runnable::run, (int) settings.statementTimeout().plusSeconds(5).toMillis());
        try (Statement statement = connection.createStatement()) {
            // Every statement joins one chunk to large indexed tables: index lookups per staged row
            // are right whatever the statistics say. During a bulk load they lag behind, and a hash
            // join would scan the whole table once per chunk. One round trip for the three.
            statement.execute("SET LOCAL statement_timeout = "
                    + settings.statementTimeout().toMillis()
                    + "; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off");
        }
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
        Outcome copied = copyNew(connection, entity, rows);
        if (copied != null) {
            return copied;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(entity.sql.createStaging());
        }
        stage(connection, entity, rows);
        List<RowFailure> failures = new ArrayList<>();
        refuse(connection, entity, rows, failures);
        List<String> cacheKeys = previousCacheKeys(connection, entity);
        apply(connection, entity, rows, 0, rows.size() - 1, failures);
        failures.sort(Comparator.comparingLong(RowFailure::line));
        Set<Long> failed = new HashSet<>();
        failures.forEach(failure -> failed.add(failure.line()));
        cacheKeys.addAll(cacheKeys(rows, failed));
        return new Outcome(rows.size() - failures.size(), failures, cacheKeys);
    }

    private static List<String> cacheKeys(List<? extends Row> rows, Set<Long> failedLines) {
        List<String> keys = new ArrayList<>();
        for (Row row : rows) {
            if (row.cacheKey() != null && !failedLines.contains(row.line())) {
                keys.add(row.cacheKey());
            }
        }
        return keys;
    }

    /**
     * When every row is new, one COPY straight into the table applies the chunk: as fast as a
     * plain bulk load, where the upsert looks every row up first. A row that is not new (its id or
     * key is taken, its user unknown, the chunk repeats it) makes the COPY fail; it is rolled back
     * and the chunk takes the upsert. After such a failure the next chunks of the entity go to the
     * upsert directly for a while: a re-import would fail every COPY. Chunks that mix rows with and
     * without ids always take the upsert. Null when the chunk was not copied.
     */
    private @Nullable Outcome copyNew(Connection connection, Entity entity, List<? extends Row> rows)
            throws SQLException {
        int skipping = upsertOnly.get(entity.ordinal());
        if (skipping > 0) {
            upsertOnly.compareAndSet(entity.ordinal(), skipping, skipping - 1);
            return null;
        }
        boolean withIds = rows.getFirst().id() != null;
        if (rows.stream().anyMatch(row -> (row.id() != null) != withIds)) {
            return null;
        }
        Object[] defaults = entity.sql
                .newRowDefaults()
                .apply(LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS));
        Savepoint savepoint = connection.setSavepoint();
        try {
            copy(connection, withIds ? entity.sql.copyNewWithIds() : entity.sql.copyNewWithoutIds(), out -> {
                StagingWriter values = new StagingWriter(out, defaults, !withIds);
                for (Row row : rows) {
                    row.stage(values);
                    values.endRow();
                }
            });
            connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            connection.rollback(savepoint);
            if (!refusesData(e)) {
                throw e;
            }
            upsertOnly.set(entity.ordinal(), UPSERT_ONLY_AFTER_CONFLICT);
            return null;
        }
        return new Outcome(rows.size(), List.of(), cacheKeys(rows, Set.of()));
    }

    private static void stage(Connection connection, Entity entity, List<? extends Row> rows) throws SQLException {
        copy(connection, entity.sql.stage(), out -> {
            StagingWriter staging = new StagingWriter(out);
            for (int ord = 0; ord < rows.size(); ord++) {
                Row row = rows.get(ord);
                staging.add(ord).add(row.line());
                row.stage(staging);
                staging.endRow();
            }
        });
    }

    private static void copy(Connection connection, String sql, Consumer<Writer> rows) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        try (Writer out = new BufferedWriter(
                new OutputStreamWriter(new PGCopyOutputStream(postgres, sql, 1 << 16), StandardCharsets.UTF_8))) {
            rows.accept(out);
        } catch (IOException | UncheckedIOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof SQLException refused) {
                    throw refused;
                }
            }
            throw new SQLException("COPY failed", "08000", e);
        }
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
            Connection connection, Entity entity, List<? extends Row> rows, int from, int to, List<RowFailure> failures)
            throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            for (String sql : entity.sql.upserts()) {
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
