package dev.shortener.platform;

import java.util.List;
import java.util.function.ToLongFunction;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Answers the lists in id order ({@code /users}, {@code /urls}, {@code /events}) one page at a time,
 * by number ({@link PageRequest}: exact {@code X-Total-Count}) or by cursor ({@link Cursor}: pages
 * that stop at the {@link CommitHorizon}, an estimated count).
 */
@Component
public class Listings {

    private final JdbcClient db;
    private final CommitHorizon horizon;

    Listings(JdbcClient db, CommitHorizon horizon) {
        this.db = db;
        this.horizon = horizon;
    }

    /** The list of {@code table}, whose serial {@code id} orders it, read as {@code columns} by {@code rows}. */
    public <T> IdList<T> of(String table, String columns, RowMapper<T> rows, ToLongFunction<T> id) {
        horizon.track(table);
        return new IdList<>(db, table, columns, rows, id, new SqlFilter());
    }

    public <T> ResponseEntity<List<T>> respond(IdList<T> list, PageRequest paging, Cursor cursor) {
        if (!cursor.given()) {
            return paging.respond(list.page(paging.offset(), paging.perPage()), list.count());
        }
        cursor.refuseMixedWith(paging);
        int limit = paging.perPage();
        long settled = horizon.settled(list.table());
        List<T> items = cursorPage(list, cursor, limit, settled);
        if (items.size() < limit && cursor.upper() - 1 > settled) {
            // a short page at the horizon: ids committed since the last reading may complete it
            long fresh = horizon.fresh(list.table());
            if (fresh > settled) {
                items = cursorPage(list, cursor, limit, fresh);
            }
        }
        return cursor.respond(items, list::id, limit, list.estimate());
    }

    private static <T> List<T> cursorPage(IdList<T> list, Cursor cursor, int limit, long horizon) {
        long upper = Math.min(cursor.upper(), horizon + 1);
        if (upper <= cursor.lower() + 1) {
            return List.of();
        }
        return list.between(cursor.lower(), upper, limit, cursor.backward());
    }
}
