package dev.shortener.abuse;

import dev.shortener.link.Links;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The link_blocks table: links an admin took down. A blocked link answers 410 and stays blocked
 * whatever its owner changes (its owner may not delete it); an admin deleting the link deletes the block.
 */
@Repository
public class Takedowns {

    /** A link that is down, and why. */
    public record Takedown(
            long urlId,
            String shortCode,
            @Nullable Long userId,
            String reason,
            String actor,
            LocalDateTime blockedAt) {}

    private static final String COLUMNS = "b.url_id, u.short_code, u.user_id, b.reason, b.actor, b.blocked_at";

    private final JdbcClient db;
    private final ApplicationEventPublisher events;
    private final Links links;

    Takedowns(JdbcClient db, ApplicationEventPublisher events, Links links) {
        this.db = db;
        this.events = events;
        this.links = links;
    }

    /** Takes a link down (or changes the reason); empty when there is no such link. */
    @Transactional
    public Optional<Takedown> block(long urlId, String reason, String actor) {
        int stored = db.sql("INSERT INTO link_blocks (url_id, reason, actor) SELECT id, ?, ? FROM urls WHERE id = ?"
                        + " ON CONFLICT (url_id) DO UPDATE SET reason = excluded.reason, actor = excluded.actor")
                .params(reason, actor, urlId)
                .update();
        if (stored == 0) {
            return Optional.empty();
        }
        Takedown takedown = find(urlId).orElseThrow();
        events.publishEvent(new LinkBlocked(
                urlId, takedown.shortCode(), takedown.userId(), reason, actor, links.newVersion(urlId)));
        return Optional.of(takedown);
    }

    /** Restores a blocked link; false when it was not blocked. */
    @Transactional
    public boolean unblock(long urlId, String actor) {
        Optional<Takedown> takedown = find(urlId);
        if (takedown.isEmpty()) {
            return false;
        }
        db.sql("DELETE FROM link_blocks WHERE url_id = ?").param(urlId).update();
        events.publishEvent(new LinkBlocked(
                urlId, takedown.get().shortCode(), takedown.get().userId(), null, actor, links.newVersion(urlId)));
        return true;
    }

    Optional<Takedown> find(long urlId) {
        return db.sql("SELECT " + COLUMNS + " FROM link_blocks b JOIN urls u ON u.id = b.url_id WHERE b.url_id = ?")
                .param(urlId)
                .query(Takedown.class)
                .optional();
    }

    public List<Takedown> page(long offset, int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM link_blocks b JOIN urls u ON u.id = b.url_id"
                        + " ORDER BY b.blocked_at DESC, b.url_id LIMIT ? OFFSET ?")
                .params(limit, offset)
                .query(Takedown.class)
                .list();
    }

    long count() {
        return db.sql("SELECT count(*) FROM link_blocks").query(Long.class).single();
    }
}
