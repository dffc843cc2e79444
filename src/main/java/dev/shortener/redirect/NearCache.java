package dev.shortener.redirect;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The in-process level: size-bounded; unknown codes expire after {@code nearNegativeTtl}, links
 * after {@code nearCacheTtl}. A link read after {@code nearCacheRefresh} is reloaded in the
 * background while readers keep getting the cached copy, so popular links never miss. {@link
 * #revalidate()} makes every copy due for such a reload at its next read.
 */
@Component
class NearCache implements DisposableBean {

    private final RedirectSettings settings;
    private final ExecutorService refresher = Executors.newVirtualThreadPerTaskExecutor();
    private volatile @Nullable LoadingCache<String, Entry> links;
    /** Bumped by {@link #revalidate()}; a copy taken in an earlier generation is reloaded when read. */
    private volatile long generation;

    NearCache(RedirectSettings settings) {
        this.settings = settings;
    }

    /** Connects the cache to the levels below it; until then it holds nothing. */
    void loadWith(Function<String, CachedLink> below) {
        links = Caffeine.newBuilder()
                .maximumSize(settings.nearCacheSize())
                .expireAfter(Expiry.writing((String code, Entry entry) ->
                        entry.link().absent() ? settings.nearNegativeTtl() : settings.nearCacheTtl()))
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
                        CachedLink fresh = below.apply(code);
                        if (!fresh.equals(old.link())) {
                            return new Entry(fresh, taken);
                        }
                        return old.generation() == taken ? old : new Entry(old.link(), taken);
                    }
                });
    }

    @Nullable
    CachedLink get(String code) {
        LoadingCache<String, Entry> cache = links;
        Entry entry = cache == null ? null : cache.getIfPresent(code);
        if (entry == null) {
            return null;
        }
        if (entry.generation() != generation) {
            cache.refresh(code);
        }
        return entry.link();
    }

    void put(String code, CachedLink link) {
        LoadingCache<String, Entry> cache = links;
        if (cache != null) {
            cache.put(code, new Entry(link, generation));
        }
    }

    void evict(String code) {
        LoadingCache<String, Entry> cache = links;
        if (cache != null) {
            cache.invalidate(code);
        }
    }

    void clear() {
        LoadingCache<String, Entry> cache = links;
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    /**
     * Every copy is reloaded (from Redis, else PostgreSQL) in the background at its next read; that
     * read still gets the copy. Unlike {@link #clear()} this sends no burst of reads to the levels
     * below, at the price of one more answer from a copy that may be stale.
     */
    void revalidate() {
        generation++;
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
    }

    private record Entry(CachedLink link, long generation) {}
}
