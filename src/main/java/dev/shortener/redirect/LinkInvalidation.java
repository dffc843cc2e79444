package dev.shortener.redirect;

import dev.shortener.abuse.LinkBlocked;
import dev.shortener.link.LinkCreated;
import dev.shortener.link.LinkDeleted;
import dev.shortener.link.LinkUpdated;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps every instance's caches true to the urls table. After a link change commits, the code is
 * evicted here, deleted from Redis and published; every instance (this one included) evicts it
 * from its near cache when the message arrives. A second round a moment later removes a stale
 * copy that a concurrent lookup may have read from the database just before the commit and cached
 * just after the first round.
 */
@Component
public class LinkInvalidation implements MessageListener {

    private final NearCache near;
    private final RedisLinkStore redis;
    private final long repeatMillis;

    LinkInvalidation(NearCache near, RedisLinkStore redis, RedirectSettings settings) {
        this.near = near;
        this.redis = redis;
        this.repeatMillis = settings.invalidationRepeat().toMillis();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void created(LinkCreated event) {
        // The code may be cached as unknown.
        invalidate(event.link().shortCode());
    }

    @TransactionalEventListener(fallbackExecution = true)
    void updated(LinkUpdated event) {
        invalidate(event.link().shortCode());
    }

    @TransactionalEventListener(fallbackExecution = true)
    void deleted(LinkDeleted event) {
        invalidate(event.link().shortCode());
    }

    @TransactionalEventListener(fallbackExecution = true)
    void takenDownOrRestored(LinkBlocked event) {
        invalidate(event.shortCode());
    }

    /**
     * Evicts links changed outside the link API (bulk imports) from the caches of every instance.
     * Call it after the change commits.
     */
    public void invalidateAll(Collection<String> codes) {
        if (codes.isEmpty()) {
            return;
        }
        List<String> copy = List.copyOf(codes);
        evictEverywhere(copy);
        if (repeatMillis > 0) {
            redis.later(() -> evictEverywhere(copy), repeatMillis);
        }
    }

    private void evictEverywhere(List<String> codes) {
        codes.forEach(near::evict);
        redis.invalidateAll(codes);
    }

    void invalidate(String code) {
        evictEverywhere(code);
        if (repeatMillis > 0) {
            redis.later(() -> evictEverywhere(code), repeatMillis);
        }
    }

    private void evictEverywhere(String code) {
        near.evict(code);
        redis.invalidate(code);
    }

    /** An invalidation published by any instance. */
    @Override
    public void onMessage(Message message, byte @Nullable [] pattern) {
        near.evict(new String(message.getBody(), StandardCharsets.UTF_8));
    }
}
