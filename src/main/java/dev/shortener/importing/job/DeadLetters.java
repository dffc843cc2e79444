package dev.shortener.importing.job;

import dev.shortener.importing.LinksImported;
import dev.shortener.importing.csv.CsvFile;
import dev.shortener.importing.load.ChunkLoader;
import dev.shortener.importing.load.ChunkRows;
import dev.shortener.importing.load.ChunkRows.Failure;
import dev.shortener.importing.load.Entity;
import dev.shortener.link.Destinations;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The dead-letter queue: rows of asynchronous jobs that failed every attempt, kept with their job,
 * line, record and reason until an operator replays them (after fixing the data, or with a
 * corrected record) or discards them.
 */
@Component
public class DeadLetters {

    /** A row that could not be imported. */
    @Schema(name = "DeadLetter", example = """
            {"id":12,"job_id":7,"entity":"users","line":5,"raw_row":"5,ada,not-an-email,2024-11-14 04:11:00",\
            "reason":"email must be a valid e-mail address","replays":0,"created_at":"2026-11-28T14:32:09",\
            "replayed_at":null}""")
    public record DeadLetter(
            long id,
            long jobId,

            @Schema(allowableValues = {"users", "urls", "events"})
            String entity,

            @Schema(description = "The physical line of the file the record starts on (the header is line 1)")
            long line,

            @Schema(description = "The record as CSV; null when the file stopped being CSV there") @Nullable
            String rawRow,

            String reason,

            @Schema(description = "Replays that failed again")
            int replays,

            LocalDateTime createdAt,
            @Nullable LocalDateTime replayedAt) {}

    /** What a replay did. */
    public sealed interface Replay {}

    /** The row is imported; the dead letter is gone. */
    public record Imported(DeadLetter letter, ImportJob job, List<String> cacheKeys) implements Replay {}

    /** The row failed again; the dead letter stays with the new reason (and the corrected record). */
    public record FailedAgain(DeadLetter letter) implements Replay {}

    /** The record to replay cannot be read. */
    public record Unreadable(String problem) implements Replay {}

    public record NotFound() implements Replay {}

    private static final String COLUMNS =
            "f.id, f.job_id, j.entity, f.line, f.raw_row, f.reason, f.replays," + " f.created_at, f.replayed_at";

    private final JdbcClient db;
    private final ChunkLoader loader;
    private final ImportMetrics metrics;
    private final ImportProgress progress;
    private final ApplicationEventPublisher events;
    private final Destinations destinations;
    private final TransactionTemplate transactions;

    DeadLetters(
            JdbcClient db,
            ChunkLoader loader,
            ImportMetrics metrics,
            ImportProgress progress,
            ApplicationEventPublisher events,
            Destinations destinations,
            PlatformTransactionManager transactions) {
        this.db = db;
        this.destinations = destinations;
        this.events = events;
        this.loader = loader;
        this.metrics = metrics;
        this.progress = progress;
        this.transactions = new TransactionTemplate(transactions);
    }

    /** The latest dead letters of every job, newest first, for the administrators' page. */
    public List<DeadLetter> latest(int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM import_failures f JOIN import_jobs j ON j.id = f.job_id"
                        + " WHERE f.dead ORDER BY f.id DESC LIMIT ?")
                .param(limit)
                .query(DeadLetters::letter)
                .list();
    }

    public List<DeadLetter> page(@Nullable Long jobId, @Nullable Entity entity, long offset, int limit) {
        return db.sql(
                        "SELECT " + COLUMNS + " FROM import_failures f JOIN import_jobs j ON j.id = f.job_id"
                                + " WHERE f.dead AND (:job::bigint IS NULL OR f.job_id = :job)"
                                + " AND (:entity::text IS NULL OR j.entity = :entity) ORDER BY f.id LIMIT :limit OFFSET :offset")
                .param("job", jobId)
                .param("entity", entity == null ? null : entity.table())
                .param("limit", limit)
                .param("offset", offset)
                .query(DeadLetters::letter)
                .list();
    }

    public long count(@Nullable Long jobId, @Nullable Entity entity) {
        return db.sql("SELECT count(*) FROM import_failures f JOIN import_jobs j ON j.id = f.job_id"
                        + " WHERE f.dead AND (:job::bigint IS NULL OR f.job_id = :job)"
                        + " AND (:entity::text IS NULL OR j.entity = :entity)")
                .param("job", jobId)
                .param("entity", entity == null ? null : entity.table())
                .query(Long.class)
                .single();
    }

    public Optional<DeadLetter> find(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM import_failures f JOIN import_jobs j ON j.id = f.job_id"
                        + " WHERE f.id = ? AND f.dead")
                .param(id)
                .query(DeadLetters::letter)
                .optional();
    }

    /** Drops the dead letter for good; false when there is none. */
    public boolean discard(long id) {
        boolean discarded = db.sql("DELETE FROM import_failures WHERE id = ? AND dead")
                        .param(id)
                        .update()
                == 1;
        if (discarded) {
            metrics.refreshDeadLetters();
        }
        return discarded;
    }

    /**
     * Imports the dead letter's row again, through the same validation and loader as its job: the
     * stored record, or a corrected one (same columns as the job's file).
     */
    public Replay replay(long id, @Nullable String correctedRow) {
        Replay replay = transactions.execute(status -> replayWithin(id, correctedRow));
        if (replay instanceof Imported imported) {
            events.publishEvent(new LinksImported(imported.cacheKeys()));
            metrics.rows(Entity.named(imported.letter().entity()).orElseThrow(), 1, 0);
            metrics.refreshDeadLetters();
            progress.publish(imported.job());
        }
        return replay;
    }

    private Replay replayWithin(long id, @Nullable String correctedRow) {
        record Locked(DeadLetter letter, String header) {}
        Optional<Locked> locked = db.sql("SELECT " + COLUMNS + ", j.header FROM import_failures f"
                        + " JOIN import_jobs j ON j.id = f.job_id WHERE f.id = ? AND f.dead FOR UPDATE OF f")
                .param(id)
                .query((rs, n) -> new Locked(letter(rs, n), rs.getString("header")))
                .optional();
        if (locked.isEmpty()) {
            return new NotFound();
        }
        DeadLetter letter = locked.get().letter();
        String raw = correctedRow != null ? correctedRow : letter.rawRow();
        if (raw == null) {
            return new Unreadable("the record at line " + letter.line() + " could not be read from the file;"
                    + " send the corrected record as raw_row");
        }
        List<CsvFile.Record> records = records(raw);
        if (records.size() != 1) {
            return new Unreadable("raw_row must hold exactly one CSV record, not " + records.size());
        }
        Entity entity = Entity.named(letter.entity()).orElseThrow();
        ChunkRows rows = ChunkRows.read(
                entity,
                locked.get().header(),
                List.of(new CsvFile.Record(letter.line(), records.getFirst().values())),
                destinations);
        ChunkLoader.Outcome outcome = loader.loadWithin(entity, rows.rows());
        List<Failure> failures = rows.failures(outcome.failures());
        if (failures.isEmpty()) {
            db.sql("DELETE FROM import_failures WHERE id = ?").param(id).update();
            ImportJob job = db.sql("UPDATE import_jobs SET rows_imported = rows_imported + 1,"
                            + " rows_failed = rows_failed - 1, version = version + 1 WHERE id = ? RETURNING "
                            + ImportJobs.COLUMNS)
                    .param(letter.jobId())
                    .query(ImportJobs::job)
                    .single();
            return new Imported(letter, job, outcome.cacheKeys());
        }
        Failure failure = failures.getFirst();
        db.sql("UPDATE import_failures SET reason = ?, raw_row = ?, replays = replays + 1, replayed_at = (now() AT"
                        + " TIME ZONE 'utc') WHERE id = ?")
                .params(failure.reason(), Failure.storable(raw), id)
                .update();
        return new FailedAgain(find(id).orElseThrow());
    }

    /** The non-blank records of a text. */
    private static List<CsvFile.Record> records(String text) {
        try {
            return CsvFile.records(text, 1, Integer.MAX_VALUE);
        } catch (CsvFile.Malformed e) {
            return List.of();
        }
    }

    private static DeadLetter letter(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new DeadLetter(
                rs.getLong("id"),
                rs.getLong("job_id"),
                rs.getString("entity"),
                rs.getLong("line"),
                rs.getString("raw_row"),
                rs.getString("reason"),
                rs.getInt("replays"),
                rs.getObject("created_at", LocalDateTime.class),
                rs.getObject("replayed_at", LocalDateTime.class));
    }
}
