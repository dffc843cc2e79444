package dev.shortener.redirect;

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
 * background while readers keep getting the cached copy, so popular links never miss.
 */
@Component
class NearCache implements DisposableBean {

    private final RedirectSettings settings;
    private final ExecutorService refresher = Executors.newVirtualThreadPerTaskExecutor();
    private volatile @Nullable LoadingCache<String, CachedLink> links;

    NearCache(RedirectSettings settings) {
        this.settings = settings;
    }

    /** Connects the cache to the levels below it; until then it holds nothing. */
    void loadWith(Function<String, CachedLink> below) {
        links = Caffeine.newBuilder()
                .maximumSize(settings.nearCacheSize())
                .expireAfter(Expiry.writing((String code, CachedLink link) ->
                        link.absent() ? settings.nearNegativeTtl() : settings.nearCacheTtl()))
                .refreshAfterWrite(settings.nearCacheRefresh())
                .executor(refresher)
                .build(below::apply);
    }

    @Nullable
    CachedLink get(String code) {
        LoadingCache<String, CachedLink> cache = links;
        return cache == null ? null : cache.getIfPresent(code);
    }

    void put(String code, CachedLink link) {
        LoadingCache<String, CachedLink> cache = links;
        if (cache != null) {
            cache.put(code, link);
        }
    }

    void evict(String code) {
        LoadingCache<String, CachedLink> cache = links;
        if (cache != null) {
            cache.invalidate(code);
        }
    }

    void clear() {
        LoadingCache<String, CachedLink> cache = links;
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
    }
}
