package dev.shortener.event;

import dev.shortener.platform.CommitHorizon;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Folds stored clicks into the click rollup ({@code click_counts} and the links' totals queue) off
 * the click path (V29, ADR 0018): each fold takes the clicks above the folded id up to the commit
 * horizon (ADR 0016), so no click that commits later falls below it. Readers add the clicks not yet
 * folded ({@code clicks_counted}), so the interval only bounds how many they read. Every instance
 * folds; PostgreSQL lets one fold at a time.
 */
@Component
class ClickFold {

    private static final Logger log = LoggerFactory.getLogger(ClickFold.class);

    /**
     * Events one transaction folds past at most: other writers of events (not the click loader)
     * wait for a fold, so a backlog (a long outage) goes in short steps.
     */
    static final long MOST_EVENTS = 20_000;

    /** lock_not_available: a writer of events held the fold's lock past its timeout. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final JdbcClient db;
    private final CommitHorizon horizon;
    /** A fold that waits on PostgreSQL must not make the next ones queue behind it. */
    private final AtomicBoolean folding = new AtomicBoolean();
    /** When a fold of this instance last reached the horizon it set out for (nanoTime). */
    private volatile long caughtUp = System.nanoTime();

    /** {@code settings}: its interval is checked before {@link Scheduled} reads it. */
    ClickFold(JdbcClient db, CommitHorizon horizon, EventLogSettings settings, MeterRegistry meters) {
        this.db = db;
        this.horizon = horizon;
        horizon.track("events");
        // counts stay exact behind a lagging fold, but every count and statistic reads the clicks not
        // folded yet one by one: ShortenerClickFoldBehind watches the least of the instances
        Gauge.builder("shortener.clicks.fold.since.caught.up", this, fold -> (System.nanoTime() - fold.caughtUp) / 1e9)
                .description("Seconds since a fold of this instance last reached the commit horizon it set out for")
                .baseUnit("seconds")
                .register(meters);
    }

    // fixed rate with a guard: the scheduler's one thread also fires heartbeats that must not wait
    @Scheduled(
            initialDelayString = "${shortener.events.fold-interval}",
            fixedRateString = "${shortener.events.fold-interval}")
    void foldOnSchedule() {
        if (!folding.compareAndSet(false, true)) {
            return;
        }
        try {
            foldAll();
        } catch (DataAccessException e) {
            // nothing is lost: the clicks stay above the folded id, and readers count them there
            if (e.getMostSpecificCause() instanceof SQLException cause
                    && LOCK_NOT_AVAILABLE.equals(cause.getSQLState())) {
                log.debug("A writer of events held the click fold back; the next run folds: {}", e.getMessage());
            } else {
                log.warn("Could not fold clicks into the rollup: {}", e.getMessage());
            }
        } finally {
            folding.set(false);
        }
    }

    /** Folds every click up to the commit horizon as it is now; returns the folded id. */
    long foldAll() {
        long upto = horizon.settled("events");
        long folded;
        do {
            folded = foldStep(upto);
        } while (folded < upto);
        caughtUp = System.nanoTime();
        return folded;
    }

    /** One transaction in one round trip: a slow network costs the pool no more (V29 sets its lock timeout). */
    private long foldStep(long upto) {
        return db.sql("SELECT fold_clicks(?, ?)")
                .params(upto, MOST_EVENTS)
                .query(Long.class)
                .single();
    }
}
