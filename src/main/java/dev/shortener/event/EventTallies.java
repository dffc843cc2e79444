package dev.shortener.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Compacts {@code event_tallies} (migration V17, ADR 0017): every statement that writes events
 * appends a row per event type, and a count sums them, so this folds them into one row per type
 * every few seconds. One statement deletes the rows its snapshot sees and inserts their sums, so a
 * reader sees either all of the old rows or the new ones; rows committed meanwhile are left for the
 * next run, and two instances compacting at once each fold only the rows they deleted.
 */
@Component
class EventTallies {

    private static final Logger log = LoggerFactory.getLogger(EventTallies.class);

    private static final String COMPACT = """
            WITH folded AS (
                DELETE FROM event_tallies RETURNING event_type, events
            )
            INSERT INTO event_tallies (event_type, events)
            SELECT event_type, sum(events) FROM folded GROUP BY event_type HAVING sum(events) <> 0""";

    private final JdbcClient db;

    EventTallies(JdbcClient db) {
        this.db = db;
    }

    /** Rows of one event type in all, once compacted and meanwhile. */
    long count(String eventType) {
        return db.sql("SELECT coalesce(sum(events), 0) FROM event_tallies WHERE event_type = ?")
                .param(eventType)
                .query(Long.class)
                .single();
    }

    /** Rows in all. */
    long count() {
        return db.sql("SELECT coalesce(sum(events), 0) FROM event_tallies")
                .query(Long.class)
                .single();
    }

    // a few seconds of writes: at most a few hundred rows to sum until the next run
    @Scheduled(initialDelay = 5_000, fixedDelay = 5_000)
    void compact() {
        try {
            db.sql(COMPACT).update();
        } catch (DataAccessException e) {
            // the rows stay as they are, still summing to the counts; the next run takes them
            log.warn("Could not compact event tallies: {}", e.getMessage());
        }
    }
}
