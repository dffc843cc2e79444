package dev.shortener.redirect;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.shortener.redirect.CachedLink.Version;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The in-process level: size-bounded; unknown codes expire after {@code nearNegativeTtl}, links
 * after {@code nearCacheTtl}. A link read after {@code nearCacheRefresh} is reloaded in the
 * background while readers keep getting the cached copy, so popular links never miss.
 *
 * <p>Every entry carries the version of the code it was read at, and a copy never replaces a
 * newer one: an invalidation leaves a mark of the new version that a lookup begun before it cannot
 * overwrite (ADR 0008). Marks weigh nothing, so the size bound never evicts them early. While the
 * instance may have missed invalidations ({@link #distrust()}) and after it did ({@link
 * #forgetCopies()}), copies are not served: lookups go on to Redis.
 */
@Component
class NearCache implements DisposableBean {

    private final RedirectSettings settings;
    private final ExecutorService refresher = Executors.newVirtualThreadPerTaskExecutor();
    private final LoadingCache<String, Entry> links;
    /** Bumped by {@link #revalidate()}; a copy taken in an earlier generation is reloaded when read. */
    private volatile long generation;
    /** Set by {@link #forgetCopies()}; a copy taken in an earlier generation is not served. */
    private volatile long forgottenBefore;

    private volatile boolean trusted = true;

    @Autowired
    NearCache(RedirectSettings settings, LinkLoader below) {
        this(settings, below::load, below::fromDatabase);
    }

    /** A cache that loads and refreshes its entries from {@code below}, which is also the database. */
    NearCache(RedirectSettings settings, Function<String, CachedLink> below) {
        this(settings, below, below);
    }

    /**
     * A cache that loads and refreshes its entries from {@code below}, and asks {@code database}
     * alone whether a code whose copy it holds has no link now.
     */
    NearCache(RedirectSettings settings, Function<String, CachedLink> below, Function<String, CachedLink> database) {
        this.settings = settings;
        this.links = Caffeine.newBuilder()
                .maximumWeight(settings.nearCacheSize())
                .weigher((String code, Entry entry) -> entry.isMark() ? 0 : 1)
                .expireAfter(Expiry.writing((String code, Entry entry) -> lifetime(entry)))
                .refreshAfterWrite(settings.nearCacheRefresh())
                .executor(refresher)
                .build(new CacheLoader<String, Entry>() {
                    @Override
                    public Entry load(String code) {
                        long taken = generation;
                        return new Entry(below.apply(code), taken);
                    }

                    /**
                     * Keeps the cached objects when the link has not changed. Replacing them
                     * copied every refreshed entry into the old generation again and left the
                     * previous copy there as garbage, which the parallel collector reclaims only
                     * in a full collection (ADR 0003).
                     */
                    @Override
                    public Entry reload(String code, Entry old) {
                        long taken = generation;
                        boolean copy = old.link() != null && !old.link().absent();
                        CachedLink fresh;
                        try {
                            fresh = below.apply(code);
                            if (copy && fresh.equals(CachedLink.ABSENT)) {
                                // Redis's record of no row may be older than the copy: PostgreSQL says
                                fresh = database.apply(code);
                                if (fresh.absent()) {
                                    // no row now, read after the copy was taken: a deletion this instance
                                    // did not hear of, which the copy's newer version must not outrank
                                    return new Entry(
                                            CachedLink.absent(old.link().version()), taken);
                                }
                            }
                        } catch (RuntimeException e) {
                            // no answer (Redis, or PostgreSQL after a miss): the copy stays, its lifetime
                            // starting again, so that a long outage does not turn it into errors
                            return old;
                        }
                        if (!old.order().after(fresh.order()) && !fresh.equals(old.link())) {
                            return new Entry(fresh, taken);
                        }
                        // the same state, or a newer one than the levels below return (a deletion)
                        return old.generation() == taken ? old : new Entry(old.link(), old.order(), taken);
                    }
                });
    }

    private Duration lifetime(Entry entry) {
        CachedLink link = entry.link();
        return link == null || link.absent() ? settings.nearNegativeTtl() : settings.nearCacheTtl();
    }

    /** The copy to answer with, or null when there is none this instance may serve. */
    @Nullable
    CachedLink get(String code) {
        if (!trusted) {
            return null;
        }
        Entry entry = links.getIfPresent(code);
        if (entry == null || entry.generation() < forgottenBefore) {
            return null;
        }
        if (entry.generation() != generation) {
            links.refresh(code);
        }
        return entry.link();
    }

    /** The generation to pass to {@link #put} for a copy about to be read from the levels below. */
    long stamp() {
        return generation;
    }

    /**
     * Keeps {@code link}, read from the levels below since {@code taken} ({@link #stamp()}), unless
     * the cache holds the code at a newer state (or the same one, fresh), or copies were forgotten
     * since it was read. True when the cache holds {@code link}'s state now: false tells the caller
     * that a change it has not seen was made (or may have been missed) meanwhile.
     */
    boolean put(String code, CachedLink link, long taken) {
        if (taken < forgottenBefore) {
            return false;
        }
        Version order = link.order();
        boolean[] kept = {true};
        links.asMap().compute(code, (key, old) -> {
            if (old != null) {
                int byOrder = old.order().compareTo(order);
                if (byOrder > 0) {
                    kept[0] = false;
                    return old;
                }
                if (byOrder == 0 && old.generation() >= forgottenBefore) {
                    return old;
                }
            }
            return new Entry(link, order, taken);
        });
        return kept[0];
    }

    /**
     * Records that the code changed to state {@code mark}: a copy of an older state is replaced by
     * the mark ({@code absent}, when the code was deleted, is itself the answer). True when a copy
     * older than the mark was held.
     */
    boolean invalidate(String code, Version mark, @Nullable CachedLink absent) {
        boolean[] replaced = {false};
        links.asMap().compute(code, (key, old) -> {
            if (old != null && !mark.after(old.order())) {
                return old;
            }
            replaced[0] = old != null && old.link() != null;
            return new Entry(absent, mark, generation);
        });
        return replaced[0];
    }

    /** Any copy may be missing an invalidation still on its way: none is served until {@link #trust()}. */
    void distrust() {
        trusted = false;
    }

    /** Invalidations arrive again; call {@link #forgetCopies()} too if any was lost. */
    void trust() {
        trusted = true;
    }

    boolean trusted() {
        return trusted;
    }

    /**
     * Copies taken before now are not served again; each is replaced at its next lookup. Marks stay,
     * so a lookup begun before now still cannot bring an old copy back.
     */
    void forgetCopies() {
        forgottenBefore = ++generation;
    }

    /**
     * Every copy is reloaded (from Redis, else PostgreSQL) in the background at its next read; that
     * read still gets the copy. Unlike {@link #forgetCopies()} this sends no burst of reads to the
     * levels below, at the price of one more answer from a copy that may be stale.
     */
    void revalidate() {
        generation++;
    }

    @EventListener
    void redisRecovered(RedisRecovered event) {
        revalidate();
    }

    /** Drops the code's entry, mark included. */
    void evict(String code) {
        links.invalidate(code);
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
    }

    /** A copy of a link (or of its absence) at a version, or a mark of a version without a copy. */
    private record Entry(@Nullable CachedLink link, Version order, long generation) {
        Entry(CachedLink link, long generation) {
            this(link, link.order(), generation);
        }

        boolean isMark() {
            return link == null;
        }
    }
}
