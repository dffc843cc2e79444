package dev.shortener.link;

import dev.shortener.platform.JsonRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** A link to create, as a client asks for it. */
@JsonRequest
@Schema(name = "UrlInput", example = """
        {"original_url":"https://seeded.app/gold/meadow/1","title":"Service guide","user_id":1}""")
record NewLink(
        @Schema(description = "Owner of the link; the user must exist") @Nullable @Positive
        Long userId,

        @Schema(
                requiredMode = Schema.RequiredMode.REQUIRED,
                format = "uri",
                maxLength = OriginalUrl.MAX_LENGTH,
                description = "Absolute http or https URL with a host",
                implementation = String.class)
        @NotNull
        @AllowedDestination
        OriginalUrl originalUrl,

        @Schema(maxLength = Link.TITLE_MAX_LENGTH, nullable = true) @Nullable @Size(max = Link.TITLE_MAX_LENGTH)
        String title,

        @Schema(
                description = "A custom code instead of a generated one; 409 if taken, 422 if it names a route",
                minLength = ShortCode.MIN_LENGTH,
                maxLength = ShortCode.MAX_LENGTH,
                pattern = "^[A-Za-z0-9_-]+$",
                implementation = String.class)
        @Nullable
        ShortCode shortCode,

        @Schema(defaultValue = "true") @Nullable Boolean isActive) {

    NewLink {
        isActive = isActive == null || isActive;
    }

    /** The same link, owned by {@code owner}. */
    NewLink ownedBy(@Nullable Long owner) {
        return new NewLink(owner, originalUrl, title, shortCode, isActive);
    }

    /** The same link with the target the destination policy stores (internationalized hosts as punycode). */
    NewLink judgedBy(Destinations destinations) {
        String kept = destinations.judge(originalUrl.url()).url();
        return new NewLink(userId, kept == null ? originalUrl : new OriginalUrl(kept), title, shortCode, isActive);
    }
}
