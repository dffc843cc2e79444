package dev.shortener.redirect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** The in-process level: size-bounded, links expire after {@code nearCacheTtl}, unknown codes sooner. */
@Component
class NearCache {

    private final Cache<String, CachedLink> links;

    NearCache(RedirectSettings settings) {
        this.links = Caffeine.newBuilder()
                .maximumSize(settings.nearCacheSize())
                .expireAfter(Expiry.writing((String code, CachedLink link) ->
                        link.absent() ? settings.nearNegativeTtl() : settings.nearCacheTtl()))
                .build();
    }

    @Nullable
    CachedLink get(String code) {
        return links.getIfPresent(code);
    }

    void put(String code, CachedLink link) {
        links.put(code, link);
    }

    void evict(String code) {
        links.invalidate(code);
    }

    void clear() {
        links.invalidateAll();
    }
}
