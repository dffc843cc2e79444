package dev.shortener.importing.job;

import static dev.shortener.importing.job.ImportJobs.COLUMNS;
import static dev.shortener.importing.job.ImportJobs.NOW;

import dev.shortener.importing.ImportSettings;
import dev.shortener.importing.csv.ChunkCodec;
import dev.shortener.importing.csv.CsvFile;
import dev.shortener.importing.load.ChunkRows.Failure;
import dev.shortener.importing.load.Entity;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The import_chunks table, which is the queue (ADR 0013): the stored chunks of jobs, the leases
 * on them and their attempts. A chunk's rows count into its job when it is stored and when it is
 * done. Statements that belong to the commit of a chunk run in the caller's transaction.
 */
@Component
class ImportChunks {

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

    private final JdbcClient db;
    private final JdbcClient queue;
    private final ImportSettings settings;
    /** The end of a lease taken now: one IMPORT_RECLAIM_IDLE from now. */
    private final String leaseEnd;

    ImportChunks(JdbcClient db, @Qualifier(ImportQueueDatabase.NAME) JdbcClient queue, ImportSettings settings) {
        this.db = db;
        this.queue = queue;
        this.settings = settings;
        this.leaseEnd =
                "(" + NOW + " + interval '" + settings.worker().reclaimIdle().toMillis() + " milliseconds')";
    }

    /**
     * Stores a chunk of the upload and counts its records into the job; {@code leased} when the
     * storing request runs it itself (a synchronous job), so that no worker takes it meanwhile.
     */
    long store(long job, long firstLine, int rows, byte[] content, boolean leased) {
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

    /** The stored chunks of a finished job are no longer needed; its failures keep their rows. */
    void dropAll(long job) {
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

    /** Within the caller's transaction: replaces a locked chunk by two halves of its records; their ids. */
    List<Long> split(Claim chunk, List<CsvFile.Record> records) {
        ChunkCodec.Builder first = new ChunkCodec.Builder();
        ChunkCodec.Builder second = new ChunkCodec.Builder();
        int middle = records.size() / 2;
        records.subList(0, middle).forEach(first::add);
        records.subList(middle, records.size()).forEach(second::add);
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
}
