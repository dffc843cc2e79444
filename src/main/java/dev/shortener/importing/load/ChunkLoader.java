package dev.shortener.importing.load;

import dev.shortener.importing.ImportSettings;
import dev.shortener.platform.IdSequences;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
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
 * Loads one chunk of rows of one entity in one transaction: one COPY straight into the table when
 * every row is new, else ({@link StagedUpsert}) COPY into a temporary staging table, removal of
 * the staged rows refused for a reason known in advance (an unknown user, an e-mail address or
 * short code another id holds), then the entity's set statements over the rest of the chunk.
 * When a set statement still fails because of the data (a foreign key, a unique e-mail address
 * or short code, a value the column refuses), the chunk is bisected under savepoints until the
 * rows that fail alone are isolated; every other row is applied. A row is in or out, never
 * half-written. Failures that are not about the data
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
        LongSummaryStatistics ids = rows.stream()
                .map(Row::id)
                .filter(Objects::nonNull)
                .mapToLong(Long::longValue)
                .summaryStatistics();
        long maxId = ids.getMax(); // Long.MIN_VALUE for a chunk without ids
        if (maxId > 0) {
            // Non-transactional: creates that start after this never draw an imported id. After the
            // chunk's lock gave the transaction its xid, so the commit horizon covers these ids.
            try (Statement move = connection.createStatement()) {
                move.execute(IdSequences.movePast(entity.table(), maxId));
            }
        }
        if (ids.getCount() < rows.size()) {
            // rows that draw their ids: past any written around the sequence (nothing written if none)
            try (Statement move = connection.createStatement()) {
                move.execute(IdSequences.movePastLargest(entity.table()));
            }
        }
        Outcome copied = copyNew(connection, entity, rows);
        return copied != null ? copied : StagedUpsert.load(connection, entity, rows, ids);
    }

    static List<String> cacheKeys(List<? extends Row> rows, Set<Long> failedLines) {
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
            String copyNew = withIds ? entity.sql.copyNewWithIds() : entity.sql.copyNewWithoutIds();
            StagingWriter.copy(connection, copyNew, defaults, !withIds, values -> {
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

    /** Integrity violations (class 23), data exceptions (class 22) and cardinality (21000). */
    static boolean refusesData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("23") || state.startsWith("22") || state.equals("21000"));
    }
}
