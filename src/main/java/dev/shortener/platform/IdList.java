package dev.shortener.platform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The rows of one table in id order, under a feature's filter: pages by offset with their exact
 * count, and pages between two ids with the planner's estimate of the count. The feature names the
 * table, its columns and its filter, and may count its rows more cheaply than a scan; the paging SQL
 * is this class's. Made by {@link Listings#of}.
 */
public final class IdList<T> {

    private static final Pattern PLAN_ROWS = Pattern.compile("\"Plan Rows\":\\s*(\\d+)");

    private final JdbcClient db;
    private final String table;
    private final String columns;
    private final RowMapper<T> rows;
    private final ToLongFunction<T> id;
    private final SqlFilter filter;
    /** The feature's exact count of the filtered rows, cheaper than counting them; null when it has none. */
    private final @Nullable LongSupplier counter;

    IdList(
            JdbcClient db,
            String table,
            String columns,
            RowMapper<T> rows,
            ToLongFunction<T> id,
            SqlFilter filter,
            @Nullable LongSupplier counter) {
        this.db = db;
        this.table = table;
        this.columns = columns;
        this.rows = rows;
        this.id = id;
        this.filter = filter;
        this.counter = counter;
    }

    /** The same list, only the rows that {@code filter} lets through. */
    public IdList<T> where(SqlFilter filter) {
        return new IdList<>(db, table, columns, rows, id, filter, null);
    }

    /** The same list, whose exact count {@code counter} gives instead of a count of its rows. */
    public IdList<T> countedBy(@Nullable LongSupplier counter) {
        return new IdList<>(db, table, columns, rows, id, filter, counter);
    }

    String table() {
        return table;
    }

    long id(T item) {
        return id.applyAsLong(item);
    }

    List<T> page(long offset, int limit) {
        return db.sql("SELECT " + columns + " FROM " + table + filter.where() + " ORDER BY id LIMIT ? OFFSET ?")
                .params(filter.params(limit, offset))
                .query(rows)
                .list();
    }

    long count() {
        if (counter != null) {
            return counter.getAsLong();
        }
        return db.sql("SELECT count(*) FROM " + table + filter.where())
                .params(filter.params())
                .query(Long.class)
                .single();
    }

    /**
     * The first {@code limit} rows with ids above {@code after} and below {@code before}, or the last
     * {@code limit} of them when {@code last}; in id order either way.
     */
    List<T> between(long after, long before, int limit, boolean last) {
        List<T> found = db.sql("SELECT " + columns + " FROM " + table + filter.where(List.of("id > ?", "id < ?"))
                        + " ORDER BY id" + (last ? " DESC" : "") + " LIMIT ?")
                .params(filter.params(after, before, limit))
                .query(rows)
                .list();
        if (!last) {
            return found;
        }
        List<T> ascending = new ArrayList<>(found);
        Collections.reverse(ascending);
        return ascending;
    }

    /** The planner's estimate of {@link #count()}: no scan, however many rows match. */
    long estimate() {
        String plan = db.sql("EXPLAIN (FORMAT JSON) SELECT 1 FROM " + table + filter.where())
                .params(filter.params())
                .query(String.class)
                .single();
        Matcher rows = PLAN_ROWS.matcher(plan);
        return rows.find() ? Long.parseLong(rows.group(1)) : 0;
    }
}
