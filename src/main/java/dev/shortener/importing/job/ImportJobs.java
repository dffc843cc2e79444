package dev.shortener.importing.job;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.csv.ChunkCodec;
import dev.shortener.importing.load.ChunkRows.Failure;
import dev.shortener.importing.load.Entity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The import_jobs, import_chunks and import_failures tables: jobs, their stored chunks and the
 * rows that could not be imported. Statements that belong to the commit of a chunk run in the
 * caller's transaction.
 */
@Component
public class ImportJobs {

    /** The current UTC time with milliseconds, as the job tables store it. */
    static final String NOW = "(clock_timestamp() AT TIME ZONE 'utc')";

    static final String COLUMNS = "id, entity, mode, state, file_name, file_size, rows_total,"
            + " rows_imported + rows_failed AS rows_processed, rows_imported, rows_failed, version, error,"
            + " created_at, received_at, started_at, finished_at,"
            + " extract(epoch FROM coalesce(finished_at, " + NOW + ") - created_at)::float8 AS elapsed_seconds";

    /**
     * A chunk claimed for an attempt: what it holds and how to read it, and whether its job was
     * marked started already.
     */
    record Claim(
            long chunk,
            long job,
            Entity entity,
            String header,
            int attempts,
            int rows,
            long firstLine,
            byte[] content,
            @Nullable String lastError,
            boolean jobStarted) {}

    /** A job whose heartbeat stopped, taken over by the caller. */
    record Stalled(long id, String state) {}

    private final JdbcClient db;
    private final JdbcClient queue;
    private final ImportSettings settings;
    /** The end of a lease taken now: one IMPORT_RECLAIM_IDLE from now. */
    private final String leaseEnd;

    ImportJobs(JdbcClient db, @Qualifier(ImportQueueDatabase.NAME) JdbcClient queue, ImportSettings settings) {
        this.db = db;
        this.queue = queue;
        this.settings = settings;
        this.leaseEnd =
                "(" + NOW + " + interval '" + settings.worker().reclaimIdle().toMillis() + " milliseconds')";
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

    /**
     * Stores a chunk of the upload and counts its records into the job; {@code leased} when the
     * storing request runs it itself (a synchronous job), so that no worker takes it meanwhile.
     */
    long storeChunk(long job, long firstLine, int rows, byte[] content, boolean leased) {
        return db.sql("WITH chunk AS (INSERT INTO import_chunks (job_id, first_line, rows, content, leased_until)"
                        + " VALUES (:job, :firstLine, :rows, :content, CASE WHEN :leased THEN " + leaseEnd
                        + " END) RETURNING id),"
                        + " job AS (UPDATE import_jobs SET rows_total = rows_total + :rows, heartbeat_at = " + NOW
                        + " WHERE id = :job)"
                        + " SELECT id FROM chunk")
                .param("job", job)
                .param("firstLine", firstLine)
                .param("rows", rows)
                .param("content", content)
                .param("leased", leased)
                .query(Long.class)
                .single();
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

    /** The stored chunks of a finished job are no longer needed; its failures keep their rows. */
    void dropChunks(long job) {
        db.sql("DELETE FROM import_chunks WHERE job_id = ?").param(job).update();
    }

    /**
     * Claims a pending chunk for one attempt, counting it and extending its lease over the attempt
     * and the pause after it. Empty when the chunk is done, split or gone. The holder of the lease
     * calls it: a lock on the row is another worker's look at the queue (a moment) or an attempt
     * of a worker that took the chunk over when the lease ran out, so the claim waits for it and
     * then finds the chunk pending or done.
     */
    Optional<Claim> claim(long chunk) {
        return db.sql("UPDATE import_chunks c SET attempts = attempts + 1,"
                        + " leased_until = " + leaseEnd + " FROM import_jobs j"
                        + " WHERE c.id = ? AND c.state = 'pending' AND j.id = c.job_id"
                        + " RETURNING c.id, c.job_id, j.entity, j.header, c.attempts, c.rows, c.first_line, c.content,"
                        + " c.last_error, j.started_at IS NOT NULL AND j.state <> 'queued'")
                .param(chunk)
                .query((rs, n) -> new Claim(
                        rs.getLong(1),
                        rs.getLong(2),
                        Entity.named(rs.getString(3)).orElseThrow(),
                        rs.getString(4),
                        rs.getInt(5),
                        rs.getInt(6),
                        rs.getLong(7),
                        rs.getBytes(8),
                        rs.getString(9),
                        rs.getBoolean(10)))
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

    void recordError(long chunk, String error) {
        db.sql("UPDATE import_chunks SET last_error = ? WHERE id = ?")
                .params(Failure.storable(error), chunk)
                .update();
    }

    /**
     * Within the caller's transaction: locks the chunk, waiting for another holder's transaction,
     * and tells whether it is still pending; what an attempt writes is written once.
     */
    boolean lockPending(long chunk) {
        return db.sql("SELECT 1 FROM import_chunks WHERE id = ? AND state = 'pending' FOR UPDATE")
                .param(chunk)
                .query(Integer.class)
                .optional()
                .isPresent();
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

    /** Within the caller's transaction: the chunk is done, and its rows count into the job. */
    ImportJob recordDone(long chunk, long job, int imported, int failed) {
        db.sql("UPDATE import_chunks SET state = 'done', imported = ?, failed = ?, finished_at = " + NOW
                        + " WHERE id = ?")
                .params(imported, failed, chunk)
                .update();
        return db.sql("UPDATE import_jobs SET rows_imported = rows_imported + ?, rows_failed = rows_failed + ?,"
                        + " version = version + 1, heartbeat_at = " + NOW + ","
                        + " state = CASE WHEN state = 'queued' THEN 'running' ELSE state END,"
                        + " started_at = coalesce(started_at, " + NOW + ") WHERE id = ? RETURNING " + COLUMNS)
                .params(imported, failed, job)
                .query(ImportJobs::job)
                .single();
    }

    /** Within the caller's transaction: replaces a locked chunk by two halves; their ids. */
    List<Long> split(Claim chunk, ChunkCodec.Builder first, ChunkCodec.Builder second) {
        long firstLine = first.firstLine();
        int firstRows = first.records();
        long secondLine = second.firstLine();
        int secondRows = second.records();
        Long a = insertChild(chunk, firstLine, firstRows, first.take());
        Long b = insertChild(chunk, secondLine, secondRows, second.take());
        db.sql("UPDATE import_chunks SET state = 'split', finished_at = " + NOW + " WHERE id = ?")
                .param(chunk.chunk())
                .update();
        return List.of(a, b);
    }

    /** A half of a synchronous job's chunk stays leased: the request runs it; others go to the queue. */
    private Long insertChild(Claim parent, long firstLine, int rows, byte[] content) {
        return db.sql("INSERT INTO import_chunks (job_id, parent_id, first_line, rows, content, leased_until)"
                        + " SELECT ?, ?, ?, ?, ?, CASE WHEN j.mode = 'sync' THEN p.leased_until END"
                        + " FROM import_chunks p JOIN import_jobs j ON j.id = p.job_id WHERE p.id = ? RETURNING id")
                .params(parent.job(), parent.chunk(), firstLine, rows, content, parent.chunk())
                .query(Long.class)
                .single();
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

    /**
     * Leases the oldest pending chunk of this instance's queue whose lease is free or ran out (its
     * holder, a worker or the request of a synchronous job, stopped renewing it). Empty when there
     * is none.
     */
    Optional<Long> leaseNext() {
        return queue.sql("UPDATE import_chunks SET leased_until = " + leaseEnd
                        + " WHERE id = (SELECT c.id FROM import_chunks c JOIN import_jobs j ON j.id = c.job_id"
                        + " WHERE c.state = 'pending' AND j.queue = :queue"
                        + " AND (c.leased_until IS NULL OR c.leased_until < " + NOW + ")"
                        + " ORDER BY c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED)"
                        + " RETURNING id")
                .param("queue", settings.queue())
                .query(Long.class)
                .optional();
    }

    /** Extends the leases of the chunks this instance works on. */
    void renewLeases(Collection<Long> chunks) {
        if (!chunks.isEmpty()) {
            // a chunk locked by its attempt is not renewed now: nobody else can take it meanwhile
            queue.sql("UPDATE import_chunks SET leased_until = " + leaseEnd
                            + " WHERE id IN (SELECT id FROM import_chunks WHERE id = ANY(?) AND state = 'pending'"
                            + " FOR UPDATE SKIP LOCKED)")
                    .param(chunks.toArray(Long[]::new))
                    .update();
        }
    }

    /** Gives a leased chunk back to the queue at once. */
    void release(long chunk) {
        db.sql("UPDATE import_chunks SET leased_until = NULL WHERE id = ?")
                .param(chunk)
                .update();
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
