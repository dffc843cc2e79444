package dev.shortener;

import dev.shortener.link.Link;
import dev.shortener.link.LinkCreated;
import dev.shortener.link.LinkDeleted;
import dev.shortener.link.LinkUpdated;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Links written straight into the urls table, with the lifecycle events the link feature
 * publishes, for tests of features that react to links.
 */
public final class TestLinks {

    private static final String COLUMNS =
            "id, user_id, short_code, original_url, title, is_active, created_at, updated_at";

    private final JdbcClient db;
    private final TransactionTemplate transaction;
    private final ApplicationContext events;

    public TestLinks(ApplicationContext context) {
        this.db = context.getBean(JdbcClient.class);
        this.transaction = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        this.events = context;
    }

    public Link create(String code, String originalUrl, boolean active) {
        return transaction.execute(status -> {
            Link link = db.sql("INSERT INTO urls (short_code, original_url, is_active) VALUES (?, ?, ?) RETURNING "
                            + COLUMNS)
                    .params(code, originalUrl, active)
                    .query(Link.class)
                    .single();
            events.publishEvent(new LinkCreated(link));
            return link;
        });
    }

    public Link changeTarget(Link link, String originalUrl) {
        return update(link, "original_url", originalUrl);
    }

    public Link deactivate(Link link) {
        return update(link, "is_active", false);
    }

    public void delete(Link link) {
        transaction.executeWithoutResult(status -> {
            db.sql("DELETE FROM urls WHERE id = ?").param(link.id()).update();
            events.publishEvent(new LinkDeleted(link, LinkDeleted.USER_REQUESTED));
        });
    }

    private Link update(Link link, String column, Object value) {
        return transaction.execute(status -> {
            Link updated = db.sql("UPDATE urls SET " + column + " = ?, updated_at = now() AT TIME ZONE 'utc'"
                            + " WHERE id = ? RETURNING " + COLUMNS)
                    .params(value, link.id())
                    .query(Link.class)
                    .single();
            events.publishEvent(new LinkUpdated(updated, column, value));
            return updated;
        });
    }

    public long clicks(long urlId) {
        return db.sql("SELECT count(*) FROM events WHERE url_id = ? AND event_type = 'click'")
                .param(urlId)
                .query(Long.class)
                .single();
    }
}
