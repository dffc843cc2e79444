package dev.shortener.abuse;

import org.jspecify.annotations.Nullable;

/**
 * Published inside the transaction that takes a link down ({@code reason} set) or restores it
 * ({@code reason} null); {@code actor} is the admin who did it, {@code version} the link's new
 * version.
 */
public record LinkBlocked(
        long urlId,
        String shortCode,
        @Nullable Long userId,
        @Nullable String reason,
        String actor,
        long version) {

    public boolean blocked() {
        return reason != null;
    }
}
