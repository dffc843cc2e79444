package dev.shortener.platform;

import java.util.List;
import java.util.function.ToLongFunction;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Answers the lists in id order ({@code /users}, {@code /urls}, {@code /events}) one page at a time,
 * by number ({@link PageRequest}: exact {@code X-Total-Count}) or by cursor ({@link Cursor}: pages
 * that stop at the {@link CommitHorizon}, an estimated count). The tail of a walk by cursor shows
 * the ids committed up to the last reading of the horizon, at most {@link CommitHorizon#MAX_AGE} ago,
 * and none that an older transaction still running could precede.
 */
@Component
public class Listings {

    private final JdbcClient db;
    private final TransactionOperations transactions;
    private final CommitHorizon horizon;

    Listings(JdbcClient db, PlatformTransactionManager transactions, CommitHorizon horizon) {
        this.db = db;
        this.transactions = new TransactionTemplate(transactions);
        this.horizon = horizon;
    }

    /** The list of {@code table}, whose serial {@code id} orders it, read as {@code columns} by {@code rows}. */
    public <T> IdList<T> of(String table, String columns, RowMapper<T> rows, ToLongFunction<T> id) {
        horizon.track(table);
        return new IdList<>(db, transactions, table, columns, rows, id, new SqlFilter(), null, null);
    }

    public <T> ResponseEntity<List<T>> respond(IdList<T> list, PageRequest paging, Cursor cursor) {
        if (!cursor.given()) {
            return paging.respond(list.page(paging.offset(), paging.perPage()), list.count());
        }
        cursor.refuseMixedWith(paging);
        int limit = paging.perPage();
        long upper = Math.min(cursor.upper(), horizon.settled(list.table()) + 1);
        List<T> items =
                upper <= cursor.lower() + 1 ? List.of() : list.between(cursor.lower(), upper, limit, cursor.backward());
        return cursor.respond(items, list::id, limit, list.estimate());
    }
}
