package dev.shortener.event;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Aggregates the click events of a link from the {@code click_counts} rollup (migration V2), which
 * {@link ClickFold} keeps, and the clicks not folded yet ({@code clicks_counted}, V29): one row per
 * link, day and referrer, so a link with millions of clicks costs no more than its number of
 * distinct days and referrers.
 */
@Repository
public class ClickStatistics {

    /** One recent click of a link, as its owner sees it. */
    public record RecentClick(
            LocalDateTime at,
            @Nullable String referrer,
            @Nullable String userAgent) {}

    static final int DAYS = 30;
    static final int TOP_REFERRERS = 10;

    private final JdbcClient db;
    private final ClickRecorder clicks;

    ClickStatistics(JdbcClient db, ClickRecorder clicks) {
        this.db = db;
        this.clicks = clicks;
    }

    /**
     * The link's statistics over the last {@value #DAYS} days; empty when neither the link nor any
     * event or counted click of it exists.
     */
    Optional<LinkStatistics> of(long urlId) {
        return of(urlId, DAYS);
    }

    /** The link's statistics, with clicks per day over the last {@code days} days. */
    public Optional<LinkStatistics> of(long urlId, int days) {
        clicks.flush(urlId);
        String shortCode = db.sql("SELECT short_code FROM urls WHERE id = ?")
                .param(urlId)
                .query(String.class)
                .optional()
                .orElse(null);
        // a deleted link's clicks outlive its events in the rollup, once retention dropped them
        if (shortCode == null
                && !db.sql("SELECT EXISTS (SELECT 1 FROM events WHERE url_id = :link)"
                                + " OR EXISTS (SELECT 1 FROM click_counts WHERE url_id = :link)")
                        .param("link", urlId)
                        .query(Boolean.class)
                        .single()) {
            return Optional.empty();
        }
        long total = db.sql("SELECT coalesce(sum(clicks), 0) FROM clicks_counted WHERE url_id = ?")
                .param(urlId)
                .query(Long.class)
                .single();
        return Optional.of(new LinkStatistics(urlId, shortCode, total, perDay(urlId, days), topReferrers(urlId)));
    }

    /**
     * The link's latest clicks, newest first; read after {@link #of(long, int)}, which hands the
     * recorder's pending clicks to PostgreSQL first. The url_id range of one value and the order by
     * url_id leave only the index on (url_id, id) to serve it: with {@code url_id = ?} the planner
     * walks the primary key back through every newer click of other links when this link holds most
     * of the table, which is far slower (bench/RESULTS.md, web pages benchmark).
     */
    public List<RecentClick> recent(long urlId, int limit) {
        return db.sql("""
                        SELECT "timestamp", details ->> 'referrer', details ->> 'user_agent'
                        FROM (SELECT id, "timestamp", event_details(events) AS details FROM events
                              WHERE url_id >= ? AND url_id <= ? AND event_type = 'click'
                              ORDER BY url_id DESC, id DESC LIMIT ?) latest
                        ORDER BY id DESC""")
                .params(urlId, urlId, limit)
                .query((row, n) ->
                        new RecentClick(row.getObject(1, LocalDateTime.class), row.getString(2), row.getString(3)))
                .list();
    }

    private List<LinkStatistics.DailyClicks> perDay(long urlId, int days) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1);
        Map<LocalDate, Long> counts = new HashMap<>();
        db.sql("""
                        SELECT day, sum(clicks) FROM clicks_counted
                        WHERE url_id = ? AND day >= ?
                        GROUP BY day""")
                .params(urlId, first)
                .query((row, n) -> new LinkStatistics.DailyClicks(row.getObject(1, LocalDate.class), row.getLong(2)))
                .list()
                .forEach(day -> counts.put(day.date(), day.clicks()));
        List<LinkStatistics.DailyClicks> series = new ArrayList<>(days);
        for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
            series.add(new LinkStatistics.DailyClicks(day, counts.getOrDefault(day, 0L)));
        }
        return series;
    }

    private List<LinkStatistics.ReferrerClicks> topReferrers(long urlId) {
        return db.sql("""
                        SELECT referrer, total
                        FROM (SELECT nullif(coalesce(wide_referrer, click_text(referrer_id), ''), '') AS referrer,
                                     sum(clicks) AS total
                              -- a text looked up per referrer, not per rollup row
                              FROM (SELECT referrer_id, wide_referrer, sum(clicks) AS clicks FROM clicks_counted
                                    WHERE url_id = ? GROUP BY 1, 2) by_key
                              GROUP BY 1) shown
                        ORDER BY total DESC, referrer IS NULL, referrer LIMIT ?""")
                .params(urlId, TOP_REFERRERS)
                .query((row, n) -> new LinkStatistics.ReferrerClicks(row.getString(1), row.getLong(2)))
                .list();
    }
}
