package dev.shortener.event;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps {@code events} partitioned by month (migration V24, ADR 0020). Month m, counted from
 * January 2000, owns the ids from m × 2^36. Each run attaches the partitions of the next month and
 * of the range after the id sequence's ahead of time, moves the sequence into the month's range
 * once the month has begun, and, with a retention, drops each partition whose newest event is older
 * than it: its events leave the counts, its clicks stay in the rollup that statistics read. One
 * instance at a time (an advisory lock); a step that cannot take its locks at once is left to the
 * next run.
 */
@Component
public class EventPartitions {

    private static final Logger log = LoggerFactory.getLogger(EventPartitions.class);

    static final int MONTH_BITS = 36;
    private static final YearMonth FIRST_MONTH = YearMonth.of(2000, 1);
    private static final Pattern BOUND = Pattern.compile("FROM \\((?:MINVALUE|'?(-?\\d+)'?)\\) TO \\('?(-?\\d+)'?\\)");
    private static final Pattern NAME = Pattern.compile("events_[a-z0-9_]+");

    private static final String PARTITIONS = """
            SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass""";

    /** A partition of events and its ids, {@code from} inclusive and {@code to} exclusive. */
    record Partition(String name, long from, long to) {}

    private final JdbcClient db;
    private final TransactionTemplate transactions;
    private final @Nullable Duration retention;

    EventPartitions(JdbcClient db, PlatformTransactionManager transactions, EventLogSettings settings) {
        this.db = db;
        this.transactions = new TransactionTemplate(transactions);
        this.retention = settings.retention();
    }

    /** The first id of {@code month}'s range. */
    static long firstId(YearMonth month) {
        return FIRST_MONTH.until(month, ChronoUnit.MONTHS) << MONTH_BITS;
    }

    /** The month whose range holds {@code id}. */
    static YearMonth monthOf(long id) {
        return FIRST_MONTH.plusMonths(id >> MONTH_BITS);
    }

    @Scheduled(initialDelay = 0, fixedDelayString = "${shortener.events.partition-interval}")
    void maintainOnSchedule() {
        try {
            maintain(Instant.now());
        } catch (DataAccessException | TransactionException e) {
            // nothing is half done: each step is one transaction; the next run tries again
            log.warn("Could not maintain the partitions of events: {}", e.getMessage());
        }
    }

    /** One run as of {@code now}: partitions ahead, the sequence moved, old partitions dropped. */
    public void maintain(Instant now) {
        YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        locked(() -> attachAhead(month));
        locked(() -> moveSequence(month));
        if (retention != null) {
            LocalDateTime cutoff = LocalDateTime.ofInstant(now.minus(retention), ZoneOffset.UTC);
            for (Partition partition : partitions()) {
                if (droppable(partition, cutoff)) {
                    locked(() -> drop(partition, cutoff));
                }
            }
        }
    }

    /** The partitions of events in id order. */
    List<Partition> partitions() {
        return db
                .sql(PARTITIONS)
                .query((rs, row) -> partition(rs.getString("name"), rs.getString("bound")))
                .list()
                .stream()
                .sorted(Comparator.comparingLong(Partition::from))
                .toList();
    }

    private static Partition partition(String name, String bound) {
        Matcher m = BOUND.matcher(bound);
        if (!m.find()) {
            throw new IllegalStateException("Unexpected bound of partition " + name + ": " + bound);
        }
        return new Partition(
                name, m.group(1) == null ? Long.MIN_VALUE : Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    /** Ranges up to the month after {@code month} and after the sequence's position, with no gap. */
    private void attachAhead(YearMonth month) {
        long top = partitions().getLast().to();
        long wanted = Math.max(
                firstId(month.plusMonths(2)), firstId(monthOf(sequence()).plusMonths(2)));
        for (long from = top; from < wanted; from = firstId(monthOf(from).plusMonths(1))) {
            long to = firstId(monthOf(from).plusMonths(1));
            String name = "events_" + monthOf(from).toString().replace('-', '_');
            // attaching takes a lock that writers do not wait for; CREATE ... PARTITION OF would take one they do
            db.sql("SET LOCAL lock_timeout = '5s'").update();
            db.sql("CREATE TABLE " + name + " (LIKE events INCLUDING DEFAULTS)").update();
            db.sql("ALTER TABLE events ATTACH PARTITION " + name + " FOR VALUES FROM (" + from + ") TO (" + to + ")")
                    .update();
            log.info("Attached partition {} of events, ids {} to {}", name, from, to - 1);
        }
    }

    /** New events take ids in the month's range once its partition is there. */
    private void moveSequence(YearMonth month) {
        long first = firstId(month);
        if (partitions().stream().anyMatch(p -> p.from() == first) && sequence() < first) {
            db.sql("SELECT setval('events_id_seq', ?, false)")
                    .param(first)
                    .query()
                    .singleValue();
            log.info("Events take ids from {} on, in the partition of {}", first, month);
        }
    }

    private long sequence() {
        return db.sql("SELECT last_value FROM events_id_seq").query(Long.class).single();
    }

    /**
     * A partition whose range ends below the sequence (no new event lands in it) and whose events
     * were stored before the cutoff: the month after its range began before it.
     */
    private boolean droppable(Partition partition, LocalDateTime cutoff) {
        return partition.to() <= sequence()
                && monthOf(partition.to()).atDay(1).atStartOfDay().isBefore(cutoff);
    }

    private void drop(Partition partition, LocalDateTime cutoff) {
        String name = partition.name();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException("Unexpected partition name " + name);
        }
        // below deadlock_timeout: a writer that holds events and wants this partition makes this
        // run give way, not the writer
        db.sql("SET LOCAL lock_timeout = '500ms'").update();
        // no event of it changes from here until it is gone
        db.sql("LOCK TABLE " + name + " IN SHARE MODE").update();
        Boolean old = db.sql("SELECT coalesce(max(\"timestamp\") < ?, true) FROM " + name)
                .param(cutoff)
                .query(Boolean.class)
                .single();
        if (!Boolean.TRUE.equals(old)) {
            return;
        }
        db.sql("INSERT INTO event_tallies (event_type, events) SELECT event_type, -count(*) FROM " + name
                        + " GROUP BY event_type")
                .update();
        db.sql("""
                        INSERT INTO dropped_clicks (url_id, user_id, clicks)
                        SELECT url_id, user_id, count(*) FROM %s WHERE event_type = 'click' GROUP BY url_id, user_id
                        ON CONFLICT (url_id, user_id) DO UPDATE SET clicks = dropped_clicks.clicks + excluded.clicks""".formatted(name)).update();
        db.sql("ALTER TABLE events DETACH PARTITION " + name).update();
        db.sql("DROP TABLE " + name).update();
        log.info("Dropped partition {} of events: its newest event was older than {}", name, cutoff);
    }

    /** Runs {@code step} in a transaction if no other instance is maintaining the partitions. */
    private void locked(Runnable step) {
        transactions.executeWithoutResult(status -> {
            if (Boolean.TRUE.equals(db.sql("SELECT pg_try_advisory_xact_lock(hashtext('events partitions'))")
                    .query(Boolean.class)
                    .single())) {
                step.run();
            }
        });
    }
}
