package dev.shortener.platform;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * For each tracked table, the highest id at or below which every row that will ever commit has
 * committed: no transaction still running holds an id under it (ADR 0016). Ids come from sequences
 * and commit out of order, so a reader that saw id 100 could later miss an id 99 committed after;
 * pages by cursor stop at this horizon instead.
 *
 * <p>A reading takes the sequences' last values, then an xid of its own ({@code pg_current_xact_id},
 * assigned after the read). Every transaction holding an id at or below a value read took a
 * transaction id before that id (the id columns' default, V16), so before the reading's xid; the
 * reading settles once a snapshot's xmin has passed its xid, when all of those have ended. A
 * snapshot's xmax is no such bound: a running transaction whose xid is above every completed one is
 * at or beyond it and in no list. Readings are cached for {@link #MAX_AGE}; sequences must not
 * cache values per session ({@code CACHE 1}, their default).
 */
@Component
public class CommitHorizon {

    /** How old a horizon a page may use before reading again. */
    static final Duration MAX_AGE = Duration.ofMillis(100);

    private static final int MAX_PENDING = 64;
    private static final Duration FIRST_SETTLE = Duration.ofSeconds(1);

    private record Reading(Map<String, Long> lastIds, long xid) {}

    private record Xids(long own, long xmin) {}

    private final JdbcClient db;
    private final Set<String> tables = ConcurrentHashMap.newKeySet();
    private final ReentrantLock refreshing = new ReentrantLock();
    private final Deque<Reading> pending = new ArrayDeque<>();
    private volatile Map<String, Long> settled = Map.of();
    private volatile long readAt = Long.MIN_VALUE;

    CommitHorizon(JdbcClient db) {
        this.db = db;
    }

    /** Tracks the id sequence of {@code table}, whose {@code id} column is a serial. */
    public void track(String table) {
        tables.add(table);
    }

    /**
     * The horizon of {@code table}, read again when the last reading is older than {@link #MAX_AGE};
     * while another thread reads, the last one serves.
     */
    public long settled(String table) {
        if (stale() && refreshing.tryLock()) {
            try {
                if (stale()) {
                    read();
                }
            } finally {
                refreshing.unlock();
            }
        }
        Long horizon = settled.get(table);
        return horizon != null ? horizon : first(table);
    }

    private boolean stale() {
        return System.nanoTime() - readAt > MAX_AGE.toNanos();
    }

    /** A table's first horizon waits for the transactions running at its first reading, within a bound. */
    private long first(String table) {
        long deadline = System.nanoTime() + FIRST_SETTLE.toNanos();
        Long horizon = null;
        while (horizon == null && System.nanoTime() < deadline) {
            refreshing.lock();
            try {
                read();
            } finally {
                refreshing.unlock();
            }
            horizon = settled.get(table);
            if (horizon == null) {
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
        }
        return horizon == null ? 0 : horizon;
    }

    /** Takes a reading, then settles the readings that every transaction older than them has passed. */
    private void read() {
        readAt = System.nanoTime();
        Map<String, Long> lastIds = lastIds();
        Xids xids = db.sql("SELECT pg_current_xact_id()::text::bigint AS own,"
                        + " pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin")
                .query((rs, row) -> new Xids(rs.getLong("own"), rs.getLong("xmin")))
                .single();
        if (pending.size() >= MAX_PENDING) {
            // a long transaction holds the horizon back: the oldest readings settle first
            pending.pollLast();
        }
        pending.addLast(new Reading(lastIds, xids.own()));
        settle(xids.xmin());
    }

    private Map<String, Long> lastIds() {
        return db
                .sql(
                        "SELECT t.name, coalesce(pg_sequence_last_value(pg_get_serial_sequence(t.name, 'id')::regclass), 0)"
                                + " AS last_id FROM unnest(string_to_array(?, ',')) AS t(name)")
                .param(String.join(",", tables))
                .query((rs, row) -> Map.entry(rs.getString("name"), rs.getLong("last_id")))
                .list()
                .stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Every transaction with an xid below {@code xmin} has ended: readings taken before them settle. */
    private void settle(long xmin) {
        @Nullable Reading newest = null;
        while (!pending.isEmpty() && pending.peekFirst().xid() <= xmin) {
            newest = pending.pollFirst();
        }
        if (newest != null) {
            Map<String, Long> next = new HashMap<>(settled);
            newest.lastIds().forEach((table, id) -> next.merge(table, id, Math::max));
            settled = Map.copyOf(next);
        }
    }
}
