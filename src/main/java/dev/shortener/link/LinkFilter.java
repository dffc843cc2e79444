package dev.shortener.link;

import dev.shortener.platform.SqlFilter;
import org.jspecify.annotations.Nullable;

/** Optional equality filters of the list of links; null means "any". */
record LinkFilter(
        @Nullable Long userId,
        @Nullable Boolean active,
        @Nullable String shortCode) {

    SqlFilter sql() {
        return new SqlFilter()
                .equal("user_id", userId)
                .equal("is_active", active)
                .equal("short_code", shortCode);
    }
}
