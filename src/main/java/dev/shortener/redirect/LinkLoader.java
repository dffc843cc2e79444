package dev.shortener.redirect;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The levels below the near cache: Redis, then PostgreSQL by the unique index (through the
 * redirect's own pool), filling Redis on the way back. Unknown codes come back as {@link
 * CachedLink#ABSENT}.
 */
@Component
class LinkLoader {

    private final RedisLinkStore redis;
    private final JdbcClient db;

    LinkLoader(RedisLinkStore redis, @Qualifier("redirectJdbc") JdbcClient db) {
        this.redis = redis;
        this.db = db;
    }

    /** Redis, else PostgreSQL: how the near cache loads and refreshes an entry. */
    CachedLink load(String code) {
        CachedLink link = redis.get(code);
        return link != null ? link : fromDatabase(code);
    }

    /** PostgreSQL, then into Redis. */
    CachedLink fromDatabase(String code) {
        CachedLink link = db.sql("SELECT u.id, u.user_id, u.original_url, u.is_active, b.url_id IS NOT NULL,"
                        + " u.version FROM urls u LEFT JOIN link_blocks b ON b.url_id = u.id WHERE u.short_code = ?")
                .param(code)
                .query((row, n) -> CachedLink.of(
                        row.getLong(1),
                        row.getObject(2, Long.class),
                        row.getString(3),
                        row.getBoolean(4),
                        row.getBoolean(5),
                        row.getLong(6)))
                .optional()
                .orElse(CachedLink.ABSENT);
        redis.put(code, link);
        return link;
    }
}
