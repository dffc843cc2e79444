package dev.shortener.link;

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
 * Folds the per-link click counts that the click trigger queues (migration V15) into {@code
 * link_click_totals}, the totals the links page sorts by, off the click path. Every instance folds; a
 * transaction-scoped advisory lock lets one fold at a time, so two never lock the same links in
 * different orders. A queue row is deleted in the transaction that adds it, so it counts once.
 */
@Component
public class ClickTotals {

    private static final Logger log = LoggerFactory.getLogger(ClickTotals.class);

    /** Queue rows one transaction folds: a backlog (PostgreSQL away for a while) goes in steps. */
    static final int BATCH = 10_000;

    private static final String FOLD = """
            WITH taken AS (
                DELETE FROM click_totals_queue
                WHERE ctid IN (SELECT ctid FROM click_totals_queue LIMIT :batch)
                RETURNING url_id, clicks
            ), summed AS (
                SELECT url_id, sum(clicks) AS clicks FROM taken GROUP BY url_id
            ), added AS (
                -- a link that does not exist (deleted, or not yet imported) has no row: its clicks
                -- stay in the click_counts rollup only
                UPDATE link_click_totals total SET clicks = total.clicks + summed.clicks
                FROM summed WHERE total.url_id = summed.url_id
            )
            SELECT count(*) FROM taken""";

    private final JdbcClient db;
    private final TransactionTemplate transactions;

    ClickTotals(JdbcClient db, PlatformTransactionManager transactions) {
        this.db = db;
        this.transactions = new TransactionTemplate(transactions);
    }

    @Scheduled(
            initialDelayString = "${shortener.links.click-totals-interval}",
            fixedDelayString = "${shortener.links.click-totals-interval}")
    void foldOnSchedule() {
        try {
            foldAll();
        } catch (DataAccessException | TransactionException e) {
            // the queue keeps what was not folded; the next run takes it
            log.warn("Could not fold click totals: {}", e.getMessage());
        }
    }

    /** Folds the queue until it is empty or another instance is folding it; returns rows folded. */
    public long foldAll() {
        long folded = 0;
        long step;
        do {
            step = foldStep();
            folded += step;
        } while (step == BATCH);
        return folded;
    }

    private long foldStep() {
        Long folded = transactions.execute(status -> {
            boolean ours =
                    Boolean.TRUE.equals(db.sql("SELECT pg_try_advisory_xact_lock(hashtext('click_totals_queue'))")
                            .query(Boolean.class)
                            .single());
            return ours ? db.sql(FOLD).param("batch", BATCH).query(Long.class).single() : 0L;
        });
        return folded == null ? 0 : folded;
    }
}
