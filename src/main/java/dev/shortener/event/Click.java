package dev.shortener.event;

import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;

/** One successful redirect, as handed to the {@link ClickRecorder}. */
public record Click(
        long urlId,
        @Nullable Long userId,
        String shortCode,
        String originalUrl,
        @Nullable String referrer,
        @Nullable String userAgent,
        LocalDateTime at) {}
