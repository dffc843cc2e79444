package dev.shortener.web;

import dev.shortener.platform.SqlFilter;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.web.server.ResponseStatusException;

/**
 * The read model of the links page: one person's links, searched, filtered and paged by keyset
 * (never by offset, so the 1,000th page costs what the first does), with their click totals from
 * the click rollup with the clicks not folded yet ({@code clicks_counted}, V29) and their takedown
 * state. "Most clicked" orders by {@code link_click_totals}, which {@link
 * dev.shortener.link.ClickTotals} keeps up to {@code CLICK_TOTALS_INTERVAL} (a minute) behind the
 * rollup.
 */
@Repository
public class LinkListing {

    static final int PAGE_SIZE = 50;

    enum Status {
        ALL,
        ACTIVE,
        INACTIVE,
        BLOCKED;

        static Status of(@Nullable String text) {
            try {
                return text == null || text.isBlank()
                        ? ALL
                        : valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return ALL;
            }
        }
    }

    enum Order {
        NEWEST,
        OLDEST,
        CLICKS;

        static Order of(@Nullable String text) {
            if ("oldest".equalsIgnoreCase(text)) {
                return OLDEST;
            }
            return "clicks".equalsIgnoreCase(text) ? CLICKS : NEWEST;
        }
    }

    /**
     * Where the next page starts: after the link {@code id}, which had {@code clicks} when the page
     * was read in the "most clicked" order (null in the others). Written {@code id} or {@code
     * clicks-id} in addresses.
     */
    public record After(long id, @Nullable Long clicks) {

        private static final Pattern TEXT = Pattern.compile("(?:(\\d{1,18})-)?(\\d{1,18})");

        static @Nullable After of(@Nullable String text, Order order) {
            if (text == null || text.isBlank()) {
                return null;
            }
            Matcher parts = TEXT.matcher(text.trim());
            if (!parts.matches() || (parts.group(1) != null) != (order == Order.CLICKS)) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The address has a wrong value for after.");
            }
            Long clicks = parts.group(1) == null ? null : Long.valueOf(parts.group(1));
            return new After(Long.parseLong(parts.group(2)), clicks);
        }

        @Override
        public String toString() {
            return clicks == null ? Long.toString(id) : clicks + "-" + id;
        }
    }

    public record Row(
            long id,
            String shortCode,
            String originalUrl,
            @Nullable String title,
            boolean isActive,
            boolean blocked,
            LocalDateTime createdAt,
            long clicks) {}

    /** A page of rows and the keyset of the next page, if there is one. */
    public record Page(List<Row> rows, @Nullable After next) {}

    private static final String COLUMNS = """
            SELECT u.id, u.short_code, u.original_url, u.title, u.is_active,
                   EXISTS (SELECT 1 FROM link_blocks b WHERE b.url_id = u.id) AS blocked, u.created_at""";
    private static final String FROM_URLS = COLUMNS + ", 0 FROM urls u";

    private final JdbcClient db;

    LinkListing(JdbcClient db) {
        this.db = db;
    }

    Page page(long owner, @Nullable String search, Status status, Order order, @Nullable After after) {
        Map<String, Object> params = new HashMap<>();
        params.put("owner", owner);
        params.put("limit", PAGE_SIZE + 1);
        StringBuilder where = new StringBuilder(" WHERE u.user_id = :owner");
        String pattern = SqlFilter.containing(search);
        if (pattern != null) {
            // the expression of the trigram index urls_search_trgm_idx (migration V10)
            where.append(" AND (u.short_code || ' ' || coalesce(u.title, '') || ' ' || u.original_url) ILIKE :pattern");
            params.put("pattern", pattern);
        }
        switch (status) {
            case ACTIVE -> where.append(" AND u.is_active");
            case INACTIVE -> where.append(" AND NOT u.is_active");
            case BLOCKED -> where.append(" AND EXISTS (SELECT 1 FROM link_blocks b WHERE b.url_id = u.id)");
            case ALL -> {}
        }
        if (after != null) {
            params.put("after", after.id());
            params.put("clicks", after.clicks() == null ? 0L : after.clicks());
        }
        List<Row> rows = switch (order) {
            case NEWEST ->
                rows(FROM_URLS + where + (after == null ? "" : " AND u.id < :after") + " ORDER BY u.id DESC", params);
            case OLDEST ->
                rows(FROM_URLS + where + (after == null ? "" : " AND u.id > :after") + " ORDER BY u.id", params);
            case CLICKS -> byClicks(where.toString(), params, after);
        };
        After next = null;
        if (rows.size() > PAGE_SIZE) {
            rows.removeLast();
            next = new After(
                    rows.getLast().id(), order == Order.CLICKS ? rows.getLast().clicks() : null);
        }
        return new Page(withClicks(rows), next);
    }

    /** Links by their folded total, then newest first: the index (user_id, clicks DESC, url_id DESC). */
    private List<Row> byClicks(String where, Map<String, Object> params, @Nullable After after) {
        return rows(
                COLUMNS + ", t.clicks FROM link_click_totals t JOIN urls u ON u.id = t.url_id" + where
                        + " AND t.user_id = :owner"
                        + (after == null ? "" : " AND (t.clicks, t.url_id) < (:clicks, :after)")
                        + " ORDER BY t.clicks DESC, t.url_id DESC",
                params);
    }

    /** The rows of {@code sql} (the first page's worth and one more), their clicks the sort key's. */
    private List<Row> rows(String sql, Map<String, Object> params) {
        return new ArrayList<>(db.sql(sql + " LIMIT :limit")
                .params(params)
                .query((row, n) -> new Row(
                        row.getLong(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        row.getBoolean(5),
                        row.getBoolean(6),
                        row.getObject(7, LocalDateTime.class),
                        row.getLong(8)))
                .list());
    }

    /**
     * The rows with their click totals as of now, from a handful of rollup rows per link (the
     * folded total that ordered them may be up to a minute behind).
     */
    private List<Row> withClicks(List<Row> rows) {
        if (rows.isEmpty()) {
            return rows;
        }
        Long[] ids = rows.stream().map(Row::id).toArray(Long[]::new);
        Map<Long, Long> totals = new HashMap<>();
        db.sql("SELECT url_id, sum(clicks) FROM clicks_counted WHERE url_id = ANY(?) GROUP BY url_id")
                .param(ids)
                .query((row, n) -> totals.put(row.getLong(1), row.getLong(2)))
                .list();
        return rows.stream()
                .map(r -> new Row(
                        r.id(),
                        r.shortCode(),
                        r.originalUrl(),
                        r.title(),
                        r.isActive(),
                        r.blocked(),
                        r.createdAt(),
                        totals.getOrDefault(r.id(), 0L)))
                .toList();
    }
}
