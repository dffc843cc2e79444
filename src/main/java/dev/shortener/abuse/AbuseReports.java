package dev.shortener.abuse;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The abuse_reports table. */
@Repository
public class AbuseReports {

    /** One report as admins see it. */
    public record AbuseReport(
            long id,
            String shortCode,
            @Nullable Long urlId,
            String reason,
            @Nullable String contact,
            String reporter,
            LocalDateTime createdAt,
            @Nullable LocalDateTime resolvedAt,
            @Nullable String resolution,
            @Nullable String resolvedBy) {}

    private static final String COLUMNS =
            "id, short_code, url_id, reason, contact, reporter, created_at," + " resolved_at, resolution, resolved_by";

    private final JdbcClient db;

    AbuseReports(JdbcClient db) {
        this.db = db;
    }

    /** Records a report of the link with the code; empty when no link has it (nothing to take down). */
    Optional<AbuseReport> create(String shortCode, String reason, @Nullable String contact, String reporter) {
        return db.sql("INSERT INTO abuse_reports (short_code, url_id, reason, contact, reporter)"
                        + " SELECT short_code, id, ?, ?, ? FROM urls WHERE short_code = ? RETURNING " + COLUMNS)
                .params(reason, contact, reporter, shortCode)
                .query(AbuseReport.class)
                .optional();
    }

    Optional<AbuseReport> find(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM abuse_reports WHERE id = ?")
                .param(id)
                .query(AbuseReport.class)
                .optional();
    }

    /** Reports by id, the unresolved ones only unless {@code all}. */
    public List<AbuseReport> page(boolean all, long offset, int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM abuse_reports" + (all ? "" : " WHERE resolved_at IS NULL")
                        + " ORDER BY id LIMIT ? OFFSET ?")
                .params(limit, offset)
                .query(AbuseReport.class)
                .list();
    }

    long count(boolean all) {
        return db.sql("SELECT count(*) FROM abuse_reports" + (all ? "" : " WHERE resolved_at IS NULL"))
                .query(Long.class)
                .single();
    }

    public Optional<AbuseReport> resolve(long id, String resolution, String actor) {
        return db.sql("UPDATE abuse_reports SET resolved_at = (now() AT TIME ZONE 'utc'), resolution = ?,"
                        + " resolved_by = ? WHERE id = ? RETURNING " + COLUMNS)
                .params(resolution, actor, id)
                .query(AbuseReport.class)
                .optional();
    }
}
