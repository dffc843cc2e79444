package dev.shortener.redirect;

import dev.shortener.abuse.LinkBlocked;
import dev.shortener.importing.LinksImported;
import dev.shortener.link.Link;
import dev.shortener.link.LinkCreated;
import dev.shortener.link.LinkDeleted;
import dev.shortener.link.LinkUpdated;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Tells every cache of a link change once it commits (ADR 0008). This instance's near cache is
 * marked before the change is acknowledged, so it never answers from an older copy afterwards;
 * Redis is marked with the change's version, which refuses any copy a lookup read before the
 * commit; the change is published for the other instances ({@link InvalidationSubscriber}).
 */
@Component
public class LinkInvalidation {

    private static final Logger log = LoggerFactory.getLogger(LinkInvalidation.class);

    private final NearCache near;
    private final RedisLinkStore redis;
    private final JdbcClient db;

    LinkInvalidation(NearCache near, RedisLinkStore redis, JdbcClient db) {
        this.near = near;
        this.redis = redis;
        this.db = db;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void created(LinkCreated event) {
        // The code may be cached as unknown.
        changed(event.link());
    }

    @TransactionalEventListener(fallbackExecution = true)
    void updated(LinkUpdated event) {
        changed(event.link());
    }

    @TransactionalEventListener(fallbackExecution = true)
    void deleted(LinkDeleted event) {
        Link link = event.link();
        invalidate(LinkChange.deleted(link.shortCode(), link.version(), System.currentTimeMillis()));
    }

    @TransactionalEventListener(fallbackExecution = true)
    void takenDownOrRestored(LinkBlocked event) {
        invalidate(LinkChange.changed(event.shortCode(), event.version(), System.currentTimeMillis()));
    }

    private void changed(Link link) {
        invalidate(LinkChange.changed(link.shortCode(), link.version(), System.currentTimeMillis()));
    }

    private void invalidate(LinkChange change) {
        near.invalidate(change.code(), change.mark(), change.absent());
        redis.invalidate(change);
    }

    /**
     * Tells every cache of links changed outside the link API (bulk imports), which do not know
     * their versions: they are read here, after the change committed. A code no link has any more
     * (it moved to another link) is marked absent at the newest version yet handed out.
     */
    @EventListener
    void imported(LinksImported event) {
        invalidateAll(event.shortCodes());
    }

    private void invalidateAll(Collection<String> codes) {
        if (codes.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<LinkChange> changes;
        try {
            changes = db.sql("""
                            SELECT c.code, u.version, (SELECT last_value FROM link_versions)
                            FROM unnest(?) AS c(code) LEFT JOIN urls u ON u.short_code = c.code""")
                    .param(codes.toArray(String[]::new))
                    .query((row, n) -> {
                        long version = row.getLong(2);
                        return row.wasNull()
                                ? LinkChange.deleted(row.getString(1), row.getLong(3), now)
                                : LinkChange.changed(row.getString(1), version, now);
                    })
                    .list();
        } catch (DataAccessException e) {
            // unknown versions: a mark above any version refuses every fill until it expires, so
            // lookups of these codes read PostgreSQL meanwhile
            log.warn(
                    "Reading the versions of {} imported links failed ({}); their caches are bypassed for a while",
                    codes.size(),
                    e.toString());
            changes = codes.stream()
                    .map(code -> LinkChange.changed(code, Long.MAX_VALUE / 2, now))
                    .toList();
        }
        changes.forEach(change -> near.invalidate(change.code(), change.mark(), change.absent()));
        redis.invalidateAll(changes);
    }
}
