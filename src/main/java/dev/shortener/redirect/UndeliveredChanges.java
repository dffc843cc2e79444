package dev.shortener.redirect;

import dev.shortener.redirect.CachedLink.Version;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

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

    UndeliveredChanges(JdbcClient db) {
        this.db = db;
    }

    /** Whether this instance holds an undelivered change of the code. */
    boolean holds(String code) {
        return !inMemory.isEmpty() && inMemory.containsKey(code);
    }

    void keep(Collection<LinkChange> changes) {
        Map<String, LinkChange> newest = new LinkedHashMap<>();
        for (LinkChange change : changes) {
            newest.merge(change.code(), change, UndeliveredChanges::newer);
            if (inMemory.size() < MAX_IN_MEMORY) {
                inMemory.merge(change.code(), change, UndeliveredChanges::newer);
            }
        }
        try {
            db.sql(KEEP)
                    .param("codes", newest.keySet().toArray(String[]::new))
                    .param(
                            "versions",
                            newest.values().stream()
                                    .map(c -> c.mark().version())
                                    .toArray(Long[]::new))
                    .param(
                            "ranks",
                            newest.values().stream().map(c -> c.mark().rank()).toArray(Integer[]::new))
                    .param(
                            "changedAt",
                            newest.values().stream()
                                    .map(LinkChange::changedAtMillis)
                                    .toArray(Long[]::new))
                    .update();
        } catch (DataAccessException e) {
            log.warn(
                    "Could not keep {} undelivered link changes in PostgreSQL ({}); only this instance retries them",
                    newest.size(),
                    e.getMessage());
        }
    }

    /** Hands every kept change to {@code deliver}, this instance's first, until one is not delivered. */
    void deliver(Predicate<LinkChange> deliver) {
        for (LinkChange change : inMemory.values()) {
            if (!deliver.test(change)) {
                return;
            }
            inMemory.remove(change.code(), change);
            delivered(change);
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
        for (LinkChange change : kept) {
            if (!deliver.test(change)) {
                return;
            }
            delivered(change);
        }
    }

    private void delivered(LinkChange change) {
        try {
            db.sql(DELIVERED)
                    .params(
                            change.code(),
                            change.mark().version(),
                            change.mark().rank())
                    .update();
        } catch (DataAccessException e) {
            // kept: delivered again later, which changes nothing once Redis holds this state
            log.debug("Could not forget a delivered link change: {}", e.getMessage());
        }
    }

    private static LinkChange newer(LinkChange kept, LinkChange other) {
        return other.mark().after(kept.mark()) ? other : kept;
    }
}
