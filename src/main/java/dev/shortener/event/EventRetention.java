package dev.shortener.event;

import static dev.shortener.platform.MonthIds.monthOf;

import dev.shortener.event.EventPartitions.Partition;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * {@code EVENTS_RETENTION} (ADR 0020): drops each partition of events whose newest event is older
 * than the retention. Its events leave the counts; its clicks stay in the rollup that statistics
 * read, and the exact counts of a link's or a user's events subtract them ({@code dropped_clicks}).
 */
@Component
class EventRetention {

    private static final Logger log = LoggerFactory.getLogger(EventRetention.class);

    private static final Pattern NAME = Pattern.compile("events_[a-z0-9_]+");
    /** Attempts of 500 ms each: past the 3 s lock timeout of a writer waiting for the partition. */
    private static final int DETACH_ATTEMPTS = 8;
    /** lock_not_available: the lock timeout ran out. */
    static final String LOCK_TIMEOUT = "55P03";

    /**
     * In one scan, under a lock that keeps the rows as they are: the partition's newest event, and
     * if that is older than the cutoff, its rows off the tallies and its clicks per link and user
     * kept apart.
     */
    private static final String UNCOUNT = """
            WITH counted AS (
                SELECT event_type, url_id, user_id, count(*) AS n, max("timestamp") AS newest
                FROM %1$s GROUP BY event_type, url_id, user_id
            ), newest AS (
                SELECT max(newest) AS newest, coalesce(max(newest) < :cutoff, true) AS old FROM counted
            ), tallied AS (
                INSERT INTO event_tallies (event_type, events)
                SELECT event_type, -sum(n) FROM counted WHERE (SELECT old FROM newest) GROUP BY event_type
            ), kept AS (
                INSERT INTO dropped_clicks (url_id, user_id, clicks)
                SELECT url_id, user_id, sum(n) FROM counted
                WHERE event_type = 'click' AND (SELECT old FROM newest) GROUP BY url_id, user_id
                ON CONFLICT (url_id, user_id) DO UPDATE SET clicks = dropped_clicks.clicks + excluded.clicks
            )
            SELECT newest FROM newest""";

    private final JdbcClient db;
    private final @Nullable Duration retention;
    /** The newest event found in a partition kept for it: not read again until the cutoff passes it. */
    private final Map<String, LocalDateTime> newest = new ConcurrentHashMap<>();

    EventRetention(JdbcClient db, EventLogSettings settings) {
        this.db = db;
        this.retention = settings.retention();
    }

    /** Events older than this go, as of {@code now}; null when every event is kept. */
    @Nullable
    LocalDateTime cutoff(Instant now) {
        return retention == null ? null : LocalDateTime.ofInstant(now.minus(retention), ZoneOffset.UTC);
    }

    /**
     * A partition that no new event lands in and whose events were stored before the cutoff: the
     * month after its range began before it, and no newer event was found in it since.
     */
    boolean droppable(Partition partition, long nextId, LocalDateTime cutoff) {
        LocalDateTime found = newest.get(partition.name());
        return partition.to() <= nextId
                && monthOf(partition.to()).atDay(1).atStartOfDay().isBefore(cutoff)
                && (found == null || found.isBefore(cutoff));
    }

    /**
     * Drops {@code partition} in the caller's transaction, unless it holds an event newer than the
     * cutoff; true when it did.
     */
    boolean drop(Partition partition, LocalDateTime cutoff) {
        String name = partition.name();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException("Unexpected partition name " + name);
        }
        // below deadlock_timeout: a writer that holds events and wants this partition makes this
        // run give way, unless it began waiting for this run's lock less than a second before
        db.sql("SET LOCAL lock_timeout = '500ms'").update();
        // no event of it changes from here until it is gone
        db.sql("LOCK TABLE " + name + " IN SHARE MODE").update();
        // its clicks leave for dropped_clicks as counted in the rollup: all of them must be folded
        // (the fold is a second behind; a month is dropped long after it ends)
        if (db.sql("SELECT folded_id FROM click_fold").query(Long.class).single() < partition.to() - 1) {
            log.info("Partition {} of events is kept until its clicks are folded into the rollup", name);
            return false;
        }
        LocalDateTime found = db.sql(UNCOUNT.formatted(name))
                .param("cutoff", cutoff)
                .query((rs, row) -> rs.getObject("newest", LocalDateTime.class))
                .list()
                .getFirst(); // null for an empty partition
        if (found != null && !found.isBefore(cutoff)) {
            newest.put(name, found);
            return false;
        }
        detach(name);
        db.sql("DROP TABLE " + name).update();
        newest.remove(name);
        log.info("Dropped partition {} of events: its newest event was older than {}", name, cutoff);
        return true;
    }

    /**
     * Detaches the partition once no transaction holds events. An import's update of events
     * locks the months its chunk's ids span, and one that waits behind this run's lock on the
     * partition holds events meanwhile: each attempt waits 500 ms and the next comes after it,
     * until that update has reached its own 3 s lock timeout (or, had it begun waiting just
     * before, lost a deadlock check and been retried), so that the scan is not lost.
     */
    private void detach(String name) {
        db.sql("SAVEPOINT detach").update();
        for (int attempt = 1; ; attempt++) {
            try {
                db.sql("ALTER TABLE events DETACH PARTITION " + name).update();
                return;
            } catch (DataAccessException e) {
                if (attempt == DETACH_ATTEMPTS
                        || !(e.getMostSpecificCause() instanceof SQLException cause
                                && LOCK_TIMEOUT.equals(cause.getSQLState()))) {
                    throw e;
                }
                db.sql("ROLLBACK TO SAVEPOINT detach").update();
            }
        }
    }
}
