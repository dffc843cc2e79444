package dev.shortener.event;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Aggregates the click events of a link from the {@code click_counts} rollup (migration V2), which
 * a trigger on {@code events} keeps: one row per link, day and referrer, so a link with millions of
 * clicks costs no more than its number of distinct days and referrers.
 */
@Repository
class ClickStatistics {

    static final int DAYS = 30;
    static final int TOP_REFERRERS = 10;

    private final JdbcClient db;
    private final ClickRecorder clicks;

    ClickStatistics(JdbcClient db, ClickRecorder clicks) {
        this.db = db;
        this.clicks = clicks;
    }

    /** The link's statistics; empty when neither the link nor any event of it exists. */
    Optional<LinkStatistics> of(long urlId) {
        clicks.flush();
        String shortCode = db.sql("SELECT short_code FROM urls WHERE id = ?")
                .param(urlId)
                .query(String.class)
                .optional()
                .orElse(null);
        if (shortCode == null
                && !db.sql("SELECT EXISTS (SELECT 1 FROM events WHERE url_id = ?)")
                        .param(urlId)
                        .query(Boolean.class)
                        .single()) {
            return Optional.empty();
        }
        long total = db.sql("SELECT coalesce(sum(clicks), 0) FROM click_counts WHERE url_id = ?")
                .param(urlId)
                .query(Long.class)
                .single();
        return Optional.of(new LinkStatistics(urlId, shortCode, total, perDay(urlId), topReferrers(urlId)));
    }

    private List<LinkStatistics.DailyClicks> perDay(long urlId) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(DAYS - 1);
        Map<LocalDate, Long> counts = new HashMap<>();
        db.sql("""
                        SELECT day, sum(clicks) FROM click_counts
                        WHERE url_id = ? AND day >= ?
                        GROUP BY day""")
                .params(urlId, first)
                .query((row, n) -> new LinkStatistics.DailyClicks(row.getObject(1, LocalDate.class), row.getLong(2)))
                .list()
                .forEach(day -> counts.put(day.date(), day.clicks()));
        List<LinkStatistics.DailyClicks> days = new ArrayList<>(DAYS);
        for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
            days.add(new LinkStatistics.DailyClicks(day, counts.getOrDefault(day, 0L)));
        }
        return days;
    }

    private List<LinkStatistics.ReferrerClicks> topReferrers(long urlId) {
        return db.sql("""
                        SELECT nullif(referrer, ''), sum(clicks) AS total FROM click_counts
                        WHERE url_id = ?
                        GROUP BY referrer ORDER BY total DESC, referrer = '', referrer LIMIT ?""")
                .params(urlId, TOP_REFERRERS)
                .query((row, n) -> new LinkStatistics.ReferrerClicks(row.getString(1), row.getLong(2)))
                .list();
    }
}
