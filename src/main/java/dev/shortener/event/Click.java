package dev.shortener.event;

import org.jspecify.annotations.Nullable;

/** One successful redirect, as handed to the {@link ClickRecorder}; {@code atMillis} is its time since the epoch. */
public record Click(
        long urlId,
        @Nullable Long userId,
        String shortCode,
        String originalUrl,
        @Nullable String referrer,
        @Nullable String userAgent,
        long atMillis) {}
