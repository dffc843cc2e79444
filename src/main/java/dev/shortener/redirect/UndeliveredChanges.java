package dev.shortener.redirect;

import dev.shortener.redirect.CachedLink.Version;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Link changes Redis did not take (ADR 0008). Kept in memory, which keeps this instance's reads off
 * Redis's older copy, and in PostgreSQL, from which every instance delivers them once Redis answers
 * it: also those of an instance that stopped first, whose changes Redis's older copy would otherwise
 * outlive by up to its TTL.
 */
@Component
class UndeliveredChanges {

    private static final Logger log = LoggerFactory.getLogger(UndeliveredChanges.class);
    private static final int MAX_IN_MEMORY = 100_000;
    /** Kept changes read per delivery round; the next round takes the rest. */
    private static final int BATCH = 500;

    // a code keeps its newest change only, as Redis does
    private static final String KEEP = """
            INSERT INTO undelivered_link_changes AS kept (code, version, rank, changed_at)
            SELECT * FROM unnest(:codes::text[], :versions::bigint[], :ranks::int[], :changedAt::bigint[])
            ON CONFLICT (code) DO UPDATE
            SET version = excluded.version, rank = excluded.rank, changed_at = excluded.changed_at
            WHERE (excluded.version, excluded.rank) > (kept.version, kept.rank)""";
    private static final String OLDEST =
            "SELECT code, version, rank, changed_at FROM undelivered_link_changes ORDER BY changed_at LIMIT ?";
    // a newer change of the code, kept meanwhile, stays to be delivered
    private static final String DELIVERED =
            "DELETE FROM undelivered_link_changes WHERE code = ? AND version = ? AND rank = ?";

    private final Map<String, LinkChange> inMemory = new ConcurrentHashMap<>();
    private final JdbcClient db;
    private final TransactionTemplate ownTransaction;

    UndeliveredChanges(JdbcClient db, PlatformTransactionManager transactions) {
        this.db = db;
        // called once a link's transaction committed, whose connection may still be bound
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Whether this instance holds an undelivered change of the code. */
    boolean holds(String code) {
        return !inMemory.isEmpty() && inMemory.containsKey(code);
    }

    void keep(Collection<LinkChange> changes) {
        // in code order, so that instances keeping the same codes lock their rows in one order
        Map<String, LinkChange> newest = new TreeMap<>();
        for (LinkChange change : changes) {
            newest.merge(change.code(), change, UndeliveredChanges::newer);
            if (inMemory.size() < MAX_IN_MEMORY) {
                inMemory.merge(change.code(), change, UndeliveredChanges::newer);
            } else {
                log.warn("Too many undelivered link changes in memory; {} is kept in PostgreSQL only", change.code());
            }
        }
        List<LinkChange> rows = List.copyOf(newest.values());
        try {
            ownTransaction.executeWithoutResult(status -> db.sql(KEEP)
                    .param("codes", rows.stream().map(LinkChange::code).toArray(String[]::new))
                    .param(
                            "versions",
                            rows.stream().map(c -> c.mark().version()).toArray(Long[]::new))
                    .param("ranks", rows.stream().map(c -> c.mark().rank()).toArray(Integer[]::new))
                    .param(
                            "changedAt",
                            rows.stream().map(LinkChange::changedAtMillis).toArray(Long[]::new))
                    .update());
        } catch (DataAccessException | TransactionException e) {
            log.warn(
                    "Could not keep {} undelivered link changes in PostgreSQL ({}); only this instance delivers them",
                    rows.size(),
                    e.getMessage());
        }
    }

    /**
     * Hands every kept change to {@code deliver}, this instance's first, until one is not delivered.
     * A change older than {@code redisTtl} is dropped instead: Redis no longer holds a copy from
     * before it, and a mark that late could outlast a newer change's.
     */
    void deliver(Predicate<LinkChange> deliver, Duration redisTtl) {
        boolean answering = true;
        for (LinkChange change : inMemory.values()) {
            if (!deliver.test(change)) {
                return;
            }
            inMemory.remove(change.code(), change);
            // once PostgreSQL did not answer, the rows wait: the next round that reaches it deletes them
            answering = answering && forget(change);
        }
        if (!answering) {
            return;
        }
        List<LinkChange> kept;
        try {
            kept = db.sql(OLDEST)
                    .param(BATCH)
                    .query((row, n) -> new LinkChange(
                            row.getString(1), new Version(row.getLong(2), row.getInt(3)), row.getLong(4)))
                    .list();
        } catch (DataAccessException e) {
            return; // PostgreSQL is down too: the next round reads them
        }
        long expired = System.currentTimeMillis() - redisTtl.toMillis();
        for (LinkChange change : kept) {
            if (change.changedAtMillis() >= expired && !deliver.test(change)) {
                return;
            }
            if (!forget(change)) {
                return;
            }
        }
    }

    /** Deletes a delivered change; false when PostgreSQL did not answer, which ends the round. */
    private boolean forget(LinkChange change) {
        try {
            db.sql(DELIVERED)
                    .params(
                            change.code(),
                            change.mark().version(),
                            change.mark().rank())
                    .update();
            return true;
        } catch (DataAccessException e) {
            // kept: delivered again later, which changes nothing once Redis holds this state
            log.debug("Could not forget a delivered link change: {}", e.getMessage());
            return false;
        }
    }

    private static LinkChange newer(LinkChange kept, LinkChange other) {
        return other.mark().after(kept.mark()) ? other : kept;
    }
}
