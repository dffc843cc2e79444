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
 * their click totals (migration V11) and their takedown state.
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
     * Where a page starts: after the link with this id (and, most clicked first, this many clicks).
     * Written in page links as {@code id} or {@code clicks.id}.
     */
    record Cursor(long clicks, long id) {

        private static final Pattern TEXT = Pattern.compile("(?:(\\d{1,18})\\.)?(\\d{1,18})");

        /** The cursor of a page link, or null for the first page; a cursor of another order is refused. */
        static @Nullable Cursor of(@Nullable String text, Order order) {
            if (text == null || text.isBlank()) {
                return null;
            }
            Matcher parts = TEXT.matcher(text.trim());
            if (!parts.matches() || (parts.group(1) != null) != (order == Order.CLICKS)) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "This page link is not valid.");
            }
            return new Cursor(
                    parts.group(1) == null ? 0 : Long.parseLong(parts.group(1)), Long.parseLong(parts.group(2)));
        }

        String text(Order order) {
            return order == Order.CLICKS ? clicks + "." + id : Long.toString(id);
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

    /** A page of rows and where the next page starts, if there is one. */
    public record Page(List<Row> rows, @Nullable String next) {}

    private final JdbcClient db;

    LinkListing(JdbcClient db) {
        this.db = db;
    }

    Page page(long owner, @Nullable String search, Status status, Order order, @Nullable Cursor after) {
        // Every link has a click_totals row (migration V11); most clicked first, a page is a range
        // of its (user_id, clicks, url_id) index, in the other orders one of urls_user_id_idx.
        StringBuilder sql = new StringBuilder("""
                SELECT u.id, u.short_code, u.original_url, u.title, u.is_active,
                       EXISTS (SELECT 1 FROM link_blocks b WHERE b.url_id = u.id) AS blocked, u.created_at,
                       coalesce(t.clicks, 0)
                """);
        sql.append(
                order == Order.CLICKS
                        ? "FROM click_totals t JOIN urls u ON u.id = t.url_id WHERE t.user_id = :owner"
                        : "FROM urls u LEFT JOIN click_totals t ON t.url_id = u.id WHERE u.user_id = :owner");
        Map<String, Object> params = new HashMap<>();
        params.put("owner", owner);
        String pattern = SqlFilter.containing(search);
        if (pattern != null) {
            // the expression of the trigram index urls_search_trgm_idx (migration V10)
            sql.append(" AND (u.short_code || ' ' || coalesce(u.title, '') || ' ' || u.original_url) ILIKE :pattern");
            params.put("pattern", pattern);
        }
        switch (status) {
            case ACTIVE -> sql.append(" AND u.is_active");
            case INACTIVE -> sql.append(" AND NOT u.is_active");
            case BLOCKED -> sql.append(" AND EXISTS (SELECT 1 FROM link_blocks b WHERE b.url_id = u.id)");
            case ALL -> {}
        }
        if (after != null) {
            sql.append(
                    switch (order) {
                        case NEWEST -> " AND u.id < :after";
                        case OLDEST -> " AND u.id > :after";
                        case CLICKS -> " AND (t.clicks, t.url_id) < (:afterClicks, :after)";
                    });
            params.put("after", after.id());
            params.put("afterClicks", after.clicks());
        }
        sql.append(
                        switch (order) {
                            case NEWEST -> " ORDER BY u.id DESC";
                            case OLDEST -> " ORDER BY u.id";
                            case CLICKS -> " ORDER BY t.clicks DESC, t.url_id DESC";
                        })
                .append(" LIMIT :limit");
        params.put("limit", PAGE_SIZE + 1);
        List<Row> rows = new ArrayList<>(db.sql(sql.toString())
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
        String next = null;
        if (rows.size() > PAGE_SIZE) {
            rows.removeLast();
            Row last = rows.getLast();
            next = new Cursor(last.clicks(), last.id()).text(order);
        }
        return new Page(rows, next);
    }
}
