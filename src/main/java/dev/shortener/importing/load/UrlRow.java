package dev.shortener.importing.load;

import dev.shortener.link.OriginalUrl;
import dev.shortener.link.ShortCode;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;

/**
 * A row of a urls file: {@code id,user_id,short_code,original_url,title,is_active,created_at,
 * updated_at}; short_code and original_url are required.
 */
public record UrlRow(
        long line,
        @Nullable Long id,
        @Nullable Long userId,
        String shortCode,
        String originalUrl,
        @Nullable String title,
        @Nullable Boolean isActive,
        @Nullable LocalDateTime createdAt,
        @Nullable LocalDateTime updatedAt)
        implements Row {

    static final int MAX_TITLE_LENGTH = 255;

    /** The valid row, or null when the line's problems say why not. */
    static @Nullable UrlRow read(CsvLine in) {
        Long id = in.optionalId("id");
        Long userId = in.optionalId("user_id");
        String shortCode = in.requiredText("short_code", Integer.MAX_VALUE);
        if (shortCode != null) {
            ShortCode.problemWith(shortCode).ifPresent(problem -> in.reject("short_code", problem));
        }
        String originalUrl = in.requiredText("original_url", OriginalUrl.MAX_LENGTH);
        if (originalUrl != null && !OriginalUrl.isValid(originalUrl)) {
            in.reject("original_url", OriginalUrl.RULE);
        }
        String title = in.optionalText("title", MAX_TITLE_LENGTH);
        Boolean isActive = in.optionalBoolean("is_active");
        LocalDateTime createdAt = in.optionalTimestamp("created_at");
        LocalDateTime updatedAt = in.optionalTimestamp("updated_at");
        if (shortCode == null || originalUrl == null || !in.isValid()) {
            return null;
        }
        return new UrlRow(in.line(), id, userId, shortCode, originalUrl, title, isActive, createdAt, updatedAt);
    }

    /** The same row with the target the destination policy keeps. */
    UrlRow withOriginalUrl(String url) {
        return new UrlRow(line, id, userId, shortCode, url, title, isActive, createdAt, updatedAt);
    }

    @Override
    public String cacheKey() {
        return shortCode;
    }

    @Override
    public void stage(StagingWriter out) {
        out.add(id)
                .add(userId)
                .add(shortCode)
                .add(originalUrl)
                .add(title)
                .add(isActive)
                .add(createdAt)
                .add(updatedAt);
    }
}
