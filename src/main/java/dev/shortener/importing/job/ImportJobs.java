package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.load.ChunkRows.Failure;
import dev.shortener.importing.load.Entity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The import_jobs and import_failures tables: jobs and the rows that could not be imported; their
 * stored chunks are {@link ImportChunks}. Statements that belong to the commit of a chunk run in
 * the caller's transaction.
 */
@Component
public class ImportJobs {

    /** The current UTC time with milliseconds, as the job tables store it. */
    static final String NOW = "(clock_timestamp() AT TIME ZONE 'utc')";

    static final String COLUMNS = "id, entity, mode, state, file_name, file_size, rows_total,"
            + " rows_imported + rows_failed AS rows_processed, rows_imported, rows_failed, version, error,"
            + " created_at, received_at, started_at, finished_at,"
            + " extract(epoch FROM coalesce(finished_at, " + NOW + ") - created_at)::float8 AS elapsed_seconds";

    /** A job whose heartbeat stopped, taken over by the caller. */
    record Stalled(long id, String state) {}

    private final JdbcClient db;
    private final ImportSettings settings;

    ImportJobs(JdbcClient db, ImportSettings settings) {
        this.db = db;
        this.settings = settings;
    }

    /** PostgreSQL text cannot hold NUL characters; a row that has one is shown with U+FFFD instead. */
    long create(Entity entity, String mode, @Nullable String fileName, @Nullable Long fileSize, String header) {
        return db.sql("INSERT INTO import_jobs (entity, mode, file_name, file_size, header, queue)"
                        + " VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
                .params(
                        entity.table(),
                        mode,
                        fileName == null ? null : abbreviate(fileName),
                        fileSize,
                        header,
                        settings.queue())
                .query(Long.class)
                .single();
    }

    private static String abbreviate(String fileName) {
        String name = Failure.storable(fileName);
        return name.length() <= 255 ? name : name.substring(0, 254) + "…";
    }

    /** Records the place where the file stopped being CSV: a failure of a record that was never read. */
    void recordUnreadable(long job, long line, String reason, boolean dead) {
        db.sql("WITH failure AS (INSERT INTO import_failures (job_id, line, raw_row, reason, dead)"
                        + " VALUES (:job, :line, NULL, :reason, :dead))"
                        + " UPDATE import_jobs SET rows_total = rows_total + 1, rows_failed = rows_failed + 1,"
                        + " version = version + 1 WHERE id = :job")
                .param("job", job)
                .param("line", line)
                .param("reason", Failure.storable(reason))
                .param("dead", dead)
                .update();
    }

    /**
     * Closes the upload of a job: queued, or running when a chunk has started already. An error
     * (an interrupted upload) is kept, and the job ends failed once its stored chunks are done.
     */
    void finishIntake(long job, @Nullable String error) {
        db.sql("UPDATE import_jobs SET state = CASE WHEN started_at IS NULL THEN 'queued' ELSE 'running' END,"
                        + " received_at = " + NOW + ", error = coalesce(error, :error), version = version + 1,"
                        + " heartbeat_at = " + NOW + " WHERE id = :job AND state = 'receiving'")
                .param("job", job)
                .param("error", error)
                .update();
    }

    /** The latest jobs, newest first, for the administrators' page. */
    public List<ImportJob> recent(int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM import_jobs ORDER BY id DESC LIMIT ?")
                .param(limit)
                .query(ImportJobs::job)
                .list();
    }

    public Optional<ImportJob> find(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM import_jobs WHERE id = ?")
                .param(id)
                .query(ImportJobs::job)
                .optional();
    }

    /**
     * Ends a job whose upload is stored and whose chunks are all done: failed when it carries an
     * error or nothing could be imported, else completed. Empty when the job is not at its end, or
     * another caller ended it.
     */
    Optional<ImportJob> completeIfDone(long job) {
        return db.sql("UPDATE import_jobs j SET"
                        + " state = CASE WHEN error IS NOT NULL OR (rows_imported = 0 AND rows_failed > 0)"
                        + " THEN 'failed' ELSE 'completed' END,"
                        + " error = coalesce(error, CASE WHEN rows_imported = 0 AND rows_failed > 0"
                        + " THEN 'no row of the file could be imported' END),"
                        + " finished_at = " + NOW + ", heartbeat_at = " + NOW + ", version = version + 1"
                        + " WHERE id = :job AND state IN ('queued', 'running') AND NOT EXISTS"
                        + " (SELECT 1 FROM import_chunks c WHERE c.job_id = j.id AND c.state = 'pending')"
                        + " RETURNING " + COLUMNS)
                .param("job", job)
                .query(ImportJobs::job)
                .optional();
    }

    /** Marks the job started when its first chunk is claimed; a queued job becomes running. */
    void markStarted(long job) {
        db.sql("UPDATE import_jobs SET started_at = coalesce(started_at, " + NOW + "),"
                        + " state = CASE WHEN state = 'queued' THEN 'running' ELSE state END, version = version + 1"
                        + " WHERE id = ? AND (started_at IS NULL OR state = 'queued')")
                .param(job)
                .update();
    }

    /** Within the caller's transaction: records failed rows. */
    void recordFailures(long job, List<Failure> failures, boolean dead) {
        if (failures.isEmpty()) {
            return;
        }
        Long[] lines = failures.stream().map(Failure::line).toArray(Long[]::new);
        String[] rawRows = failures.stream().map(Failure::rawRow).toArray(String[]::new);
        String[] reasons = failures.stream().map(Failure::reason).toArray(String[]::new);
        db.sql(
                        "INSERT INTO import_failures (job_id, line, raw_row, reason, dead)"
                                + " SELECT :job, f.line, f.raw_row, f.reason, :dead"
                                + " FROM unnest(:lines::bigint[], :rawRows::text[], :reasons::text[]) AS f (line, raw_row, reason)")
                .param("job", job)
                .param("dead", dead)
                .param("lines", lines)
                .param("rawRows", rawRows)
                .param("reasons", reasons)
                .update();
    }

    /**
     * Takes over the unfinished jobs whose heartbeat is older than the timeout: moves their
     * heartbeat, so that one caller among all instances gets each of them.
     */
    List<Stalled> takeStalled(Duration timeout) {
        return db.sql("UPDATE import_jobs SET heartbeat_at = " + NOW
                        + " WHERE state IN ('receiving', 'queued', 'running')"
                        + " AND heartbeat_at < " + NOW + " - ? * interval '1 millisecond' RETURNING id, state")
                .param(timeout.toMillis())
                .query((rs, n) -> new Stalled(rs.getLong(1), rs.getString(2)))
                .list();
    }

    static ImportJob job(ResultSet rs, int row) throws SQLException {
        long fileSize = rs.getLong("file_size");
        Long size = rs.wasNull() ? null : fileSize;
        return new ImportJob(
                rs.getLong("id"),
                rs.getString("entity"),
                rs.getString("mode"),
                rs.getString("state"),
                rs.getString("file_name"),
                size,
                rs.getLong("rows_total"),
                rs.getLong("rows_processed"),
                rs.getLong("rows_imported"),
                rs.getLong("rows_failed"),
                rs.getLong("version"),
                rs.getString("error"),
                rs.getObject("created_at", java.time.LocalDateTime.class),
                rs.getObject("received_at", java.time.LocalDateTime.class),
                rs.getObject("started_at", java.time.LocalDateTime.class),
                rs.getObject("finished_at", java.time.LocalDateTime.class),
                Math.round(rs.getDouble("elapsed_seconds") * 1000) / 1000.0);
    }
}
