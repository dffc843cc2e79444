package dev.shortener.link;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;

/**
 * A short link as the API shows it. {@code version} orders its states for the caches and is not
 * shown.
 */
@Schema(name = "Url", example = """
        {"id":1,"user_id":1,"short_code":"WqxP6Kd","original_url":"https://seeded.app/gold/meadow/1",\
        "title":"Service guide","is_active":true,"created_at":"2025-06-22T20:54:35","updated_at":"2025-07-05T18:21:21"}""")
public record Link(
        long id,
        @Nullable Long userId,
        String shortCode,
        String originalUrl,
        @Nullable String title,
        boolean isActive,
        LocalDateTime createdAt,
        LocalDateTime updatedAt,
        @JsonIgnore long version) {

    public static final int TITLE_MAX_LENGTH = 255;

    /** This link pointing to another URL. */
    public Link withOriginalUrl(String url) {
        return new Link(id, userId, shortCode, url, title, isActive, createdAt, updatedAt, version);
    }

    /** This link with another title, or none. */
    public Link withTitle(@Nullable String newTitle) {
        return new Link(id, userId, shortCode, originalUrl, newTitle, isActive, createdAt, updatedAt, version);
    }

    /** This link activated or deactivated; an inactive link does not redirect. */
    public Link withActive(boolean active) {
        return new Link(id, userId, shortCode, originalUrl, title, active, createdAt, updatedAt, version);
    }
}
