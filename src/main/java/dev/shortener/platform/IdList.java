package dev.shortener.platform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The rows of one table in id order, under a feature's filter: pages by offset with their exact
 * count, and pages between two ids with the planner's estimate of the count. The feature names the
 * table, its columns and its filter, and may count its rows more cheaply than a scan; the paging SQL
 * is this class's. Made by {@link Listings#of}.
 */
public final class IdList<T> {

    private static final Pattern PLAN_ROWS = Pattern.compile("\"Plan Rows\":\\s*(\\d+)");

    private final JdbcClient db;
    /** Where a fanned-out page's planner setting holds. */
    private final TransactionOperations transactions;

    private final String table;
    private final String columns;
    private final RowMapper<T> rows;
    private final ToLongFunction<T> id;
    private final SqlFilter filter;
    /** The feature's exact count of the filtered rows, cheaper than counting them; null when it has none. */
    private final @Nullable LongSupplier counter;
    /** Read parent by parent instead of in one walk; null for one walk. */
    private final @Nullable FanOut fanOut;

    /**
     * Pages read parent by parent: the first rows by id of each id that {@code parents} selects
     * (a query with the parameters {@code parent}), through the index on ({@code column}, id), then
     * merged by id: a few index probes per parent, where one walk would read every row of those
     * parents and sort them (a user's links and their clicks). When {@code walked} is set, the rows
     * it selects are read in one walk of the filter's own index instead, and the probes read only
     * those {@code fanned} selects.
     */
    private record FanOut(
            String column,
            String parents,
            List<Object> parent,
            @Nullable String fanned,
            @Nullable String walked) {}

    IdList(
            JdbcClient db,
            TransactionOperations transactions,
            String table,
            String columns,
            RowMapper<T> rows,
            ToLongFunction<T> id,
            SqlFilter filter,
            @Nullable LongSupplier counter,
            @Nullable FanOut fanOut) {
        this.db = db;
        this.transactions = transactions;
        this.table = table;
        this.columns = columns;
        this.rows = rows;
        this.id = id;
        this.filter = filter;
        this.counter = counter;
        this.fanOut = fanOut;
    }

    /** The same list, only the rows that {@code filter} lets through. */
    public IdList<T> where(SqlFilter filter) {
        return new IdList<>(db, transactions, table, columns, rows, id, filter, null, null);
    }

    /** The same list, whose exact count {@code counter} gives instead of a count of its rows. */
    public IdList<T> countedBy(@Nullable LongSupplier counter) {
        return new IdList<>(db, transactions, table, columns, rows, id, filter, counter, fanOut);
    }

    /**
     * The same list, its pages read through the rows of each id that {@code parents} selects with
     * {@code parent} as its parameters (see {@link FanOut}); every row the filter lets through
     * must have one of those ids in {@code column}.
     */
    public IdList<T> fannedOut(String column, String parents, Object... parent) {
        return readThrough(new FanOut(column, parents, List.of(parent), null, null));
    }

    /**
     * The same fanned-out list, whose rows that {@code walked} selects are read in one walk of the
     * filter's index rather than parent by parent; the parents need hold only the rows that {@code
     * fanned} selects, its complement.
     */
    public IdList<T> besides(String fanned, String walked) {
        FanOut fan = Objects.requireNonNull(fanOut, "only a fanned-out list has rows besides its parents'");
        return readThrough(new FanOut(fan.column(), fan.parents(), fan.parent(), fanned, walked));
    }

    private IdList<T> readThrough(FanOut fan) {
        return new IdList<>(db, transactions, table, columns, rows, id, filter, counter, fan);
    }

    String table() {
        return table;
    }

    long id(T item) {
        return id.applyAsLong(item);
    }

    List<T> page(long offset, int limit) {
        if (fanOut != null) {
            return fannedOut(List.of(), "", List.of(offset + limit), List.of(limit, offset));
        }
        return db.sql("SELECT " + columns + " FROM " + table + filter.where() + " ORDER BY id LIMIT ? OFFSET ?")
                .params(filter.params(limit, offset))
                .query(rows)
                .list();
    }

    /**
     * Rows of {@link #fanOut}: the ids of each parent's first rows under the filter and {@code
     * bounds} (their parameters, then the rows per parent, in {@code inner}), merged by id and cut by
     * {@code outer} (a limit, and an offset if any), then those rows read whole.
     */
    private List<T> fannedOut(List<String> bounds, String order, List<Object> inner, List<Object> outer) {
        FanOut fan = Objects.requireNonNull(fanOut);
        List<String> probe = new ArrayList<>(bounds);
        if (fan.fanned() != null) {
            probe.add(fan.fanned());
        }
        probe.add(fan.column() + " = parent.id");
        String found =
                "SELECT probed.id FROM (" + fan.parents() + ") AS parent (id) CROSS JOIN LATERAL (SELECT id FROM "
                        + table + filter.where(probe) + " ORDER BY id" + order + " LIMIT ?) probed";
        List<Object> params = new ArrayList<>(fan.parent());
        params.addAll(filter.params(inner.toArray()));
        if (fan.walked() != null) {
            List<String> walk = new ArrayList<>(bounds);
            walk.add(fan.walked());
            // in the order of an index of the filter's: as many rows read as the page takes
            found += " UNION ALL (SELECT id FROM " + table + filter.where(walk) + " ORDER BY id" + order + " LIMIT ?)";
            params.addAll(filter.params(inner.toArray()));
        }
        // the page's ids, then each row by its id in their order: no sort of whole rows
        String sql = "SELECT found.* FROM (SELECT fanned.id FROM (" + found + ") AS fanned (id) ORDER BY fanned.id"
                + order + " LIMIT ?" + (outer.size() > 1 ? " OFFSET ?" : "") + ") AS page CROSS JOIN LATERAL (SELECT "
                + columns + " FROM " + table + " WHERE id = page.id) AS found ORDER BY page.id" + order;
        params.addAll(outer);
        // The planner sizes every parent by the average (a link's twenty events or so), and would read
        // all of a hot link's rows and sort them rather than walk its index for the first few: with
        // sorts off, it sorts only what nothing else can order. The cost that turns them off would
        // also have the query compiled (JIT, a quarter of a second), so that is off too.
        return Objects.requireNonNull(transactions.execute(status -> {
            db.sql("SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true)")
                    .query()
                    .listOfRows();
            return db.sql(sql).params(params).query(rows).list();
        }));
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
        List<T> found = fanOut != null
                ? fannedOut(
                        List.of("id > ?", "id < ?"), last ? " DESC" : "", List.of(after, before, limit), List.of(limit))
                : db.sql("SELECT " + columns + " FROM " + table + filter.where(List.of("id > ?", "id < ?"))
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
