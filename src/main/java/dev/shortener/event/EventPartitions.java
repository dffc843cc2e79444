package dev.shortener.event;

import static dev.shortener.platform.MonthIds.firstId;
import static dev.shortener.platform.MonthIds.monthOf;
import static java.time.temporal.ChronoUnit.MONTHS;

import dev.shortener.platform.IdSequences;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps {@code events} partitioned by month over ranges of id (V23–V26, ADR 0020): attaches the
 * months ahead, moves the sequence into the month's range once it has begun, and has {@link
 * EventRetention} drop the months past the retention. One instance at a time (an advisory lock).
 */
@Component
public class EventPartitions {

    private static final Logger log = LoggerFactory.getLogger(EventPartitions.class);

    /** At most this many partitions attached in one run: a sequence moved far ahead by hand waits. */
    private static final int MOST_ATTACHED = 6;
    /** A lock not granted, a deadlock, a partition another instance dropped: left to the next run. */
    private static final Set<String> NOT_NOW = Set.of(EventRetention.LOCK_TIMEOUT, "40P01", "42P01");
    /** An ANALYZE or a drop reads far more than a request's statement may. */
    private static final Duration LONG_TIMEOUT = Duration.ofHours(1);

    private static final String PARTITIONS =
            "SELECT name, coalesce(from_id, " + Long.MIN_VALUE + ") AS from_id, to_id FROM event_partitions ORDER BY 2";
    private static final String NEXT_ID = "SELECT next_event_id()";

    /** A partition of events and its ids, {@code from} inclusive and {@code to} exclusive. */
    record Partition(String name, long from, long to) {}

    private final JdbcClient db;
    private final DataSource data;
    private final TransactionTemplate transactions;
    private final EventRetention retention;
    /** A partition attached or dropped since events was last analyzed. */
    private final AtomicBoolean changed = new AtomicBoolean();

    private volatile @Nullable YearMonth maintainedIn;
    private volatile long attachedTo = Long.MIN_VALUE;

    EventPartitions(
            JdbcClient db,
            DataSource data,
            PlatformTransactionManager transactions,
            EventRetention retention,
            MeterRegistry meters) {
        this.db = db;
        this.data = data;
        this.transactions = new TransactionTemplate(transactions);
        this.retention = retention;
        Gauge.builder("shortener.events.months.attached.ahead", this, EventPartitions::monthsAhead)
                .description("Months of events attached after the current one; 2 while partitions are kept ahead")
                .register(meters);
    }

    /** Whole months attached after the month of the last run; NaN before the first. */
    double monthsAhead() {
        YearMonth month = maintainedIn;
        long to = attachedTo;
        return month == null || to == Long.MIN_VALUE
                ? Double.NaN
                : month.plusMonths(1).until(monthOf(to), MONTHS);
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

    /**
     * One run as of {@code now}: partitions ahead, the sequence moved, old partitions dropped. False
     * when a step was left to a later run: another instance did it, or a drop lacked its locks.
     */
    public boolean maintain(Instant now) {
        YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        // set first, and the partitions listed after a failed step too, so that while runs fail the
        // months ahead fall as the calendar moves on, and their alert fires
        maintainedIn = month;
        boolean ran;
        List<Partition> partitions;
        try {
            ran = locked(() -> attachAhead(month)) && locked(() -> moveSequence(month));
        } finally {
            partitions = partitions();
            attachedTo = partitions.getLast().to();
        }
        LocalDateTime cutoff = retention.cutoff(now);
        if (cutoff != null) {
            long next = nextId();
            for (Partition partition : partitions) {
                if (retention.droppable(partition, next, cutoff)) {
                    ran &= dropped(partition, cutoff);
                }
            }
        }
        if (changed.get()) {
            // autovacuum never analyzes a partitioned table: its statistics as a whole come from
            // here; one that fails or is skipped is owed to the next run
            boolean analyzed = locked(() -> {
                allowLongStatements();
                db.sql("ANALYZE events").update();
            });
            if (analyzed) {
                changed.set(false);
            }
            ran &= analyzed;
        }
        return ran;
    }

    /** Drops one old partition; one whose locks are not granted waits for the next run alone. */
    private boolean dropped(Partition partition, LocalDateTime cutoff) {
        try {
            return locked(() -> {
                allowLongStatements();
                if (retention.drop(partition, cutoff)) {
                    changed.set(true);
                }
            });
        } catch (DataAccessException e) {
            if (!(e.getMostSpecificCause() instanceof SQLException cause && NOT_NOW.contains(cause.getSQLState()))) {
                throw e;
            }
            log.warn("Could not drop {} of events, left to the next run: {}", partition.name(), e.getMessage());
            return false;
        }
    }

    /** The partitions of events in id order. */
    List<Partition> partitions() {
        return db.sql(PARTITIONS)
                .query((rs, row) -> {
                    long to = rs.getLong("to_id");
                    if (rs.wasNull()) { // a bound event_partitions does not read: not one this service attached
                        throw new IllegalStateException("Unexpected bound of partition " + rs.getString("name"));
                    }
                    return new Partition(rs.getString("name"), rs.getLong("from_id"), to);
                })
                .list();
    }

    private long nextId() {
        return db.sql(NEXT_ID).query(Long.class).single();
    }

    /** No gap through the month after next (a month of failed runs leaves this month's) and the sequence's next. */
    private void attachAhead(YearMonth month) {
        long from = partitions().getLast().to();
        long wanted =
                Math.max(firstId(month.plusMonths(3)), firstId(monthOf(nextId()).plusMonths(2)));
        // attaching takes a lock that writers do not wait for; CREATE ... PARTITION OF would take one they do
        db.sql("SET LOCAL lock_timeout = '5s'").update();
        for (int attached = 0; from < wanted && attached < MOST_ATTACHED; attached++) {
            long to = firstId(monthOf(from).plusMonths(1));
            String name = "events_" + monthOf(from).toString().replace('-', '_');
            db.sql("CREATE TABLE " + name + " (LIKE events INCLUDING DEFAULTS)").update();
            db.sql("ALTER TABLE events ATTACH PARTITION " + name + " FOR VALUES FROM (" + from + ") TO (" + to + ")")
                    .update();
            log.info("Attached partition {} of events, ids {} to {}", name, from, to - 1);
            changed.set(true);
            from = to;
        }
    }

    /** New events take ids in the month's range once its partition is there. */
    private void moveSequence(YearMonth month) {
        long first = firstId(month);
        if (partitions().stream().anyMatch(p -> p.from() == first) && nextId() < first) {
            IdSequences.movePast(db, "events", first - 1);
            log.info("Events take ids from {} on, in the partition of {}", first, month);
        }
    }

    /** The transaction's statements may run past the pool's statement and network timeouts. */
    private void allowLongStatements() {
        db.sql("SET LOCAL statement_timeout = " + LONG_TIMEOUT.toMillis()).update();
        Connection connection = DataSourceUtils.getConnection(data);
        try {
            // the pool restores its own when the connection returns
            connection.setNetworkTimeout(
                    Runnable::run, (int) LONG_TIMEOUT.plusMinutes(1).toMillis());
        } catch (SQLException e) {
            throw new IllegalStateException("Could not lengthen the network timeout", e);
        }
    }

    /** Runs {@code step} in a transaction unless another instance is maintaining the partitions. */
    private boolean locked(Runnable step) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            boolean ours = Boolean.TRUE.equals(db.sql("SELECT pg_try_advisory_xact_lock(hashtext('events partitions'))")
                    .query(Boolean.class)
                    .single());
            if (ours) {
                step.run();
            }
            return ours;
        }));
    }
}
