package dev.shortener.link;

import dev.shortener.platform.JsonBody;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/** A link to create, as a client asks for it. */
@Schema(name = "UrlInput", example = """
        {"original_url":"https://seeded.app/gold/meadow/1","title":"Service guide","user_id":1}""")
record NewLink(
        @Schema(description = "Owner of the link; the user must exist") @Nullable
        Long userId,

        @Schema(
                requiredMode = Schema.RequiredMode.REQUIRED,
                format = "uri",
                maxLength = OriginalUrl.MAX_LENGTH,
                description = "Absolute http or https URL with a host")
        String originalUrl,

        @Schema(maxLength = LinkFields.TITLE_MAX_LENGTH, nullable = true) @Nullable
        String title,

        @Schema(
                description = "A custom code instead of a generated one; 409 if taken, 422 if it names a route",
                minLength = ShortCode.MIN_LENGTH,
                maxLength = ShortCode.MAX_LENGTH,
                pattern = "^[A-Za-z0-9_-]+$")
        @Nullable
        String shortCode,

        @Schema(defaultValue = "true") boolean isActive) {

    static NewLink read(byte @Nullable [] body, ObjectMapper json, Destinations destinations) {
        JsonBody fields = JsonBody.parse(body, json);
        String url = LinkFields.originalUrl(fields, true, destinations);
        String title = LinkFields.title(fields);
        Long userId = fields.optionalId("user_id");
        String code = fields.optionalText("short_code", ShortCode.MAX_LENGTH, true);
        if (code != null) {
            ShortCode.problemWith(code).ifPresent(problem -> fields.reject("short_code", problem));
        }
        Boolean active = fields.optionalBoolean("is_active");
        fields.validate();
        return new NewLink(userId, Objects.requireNonNull(url), title, code, active == null || active);
    }

    /** The same link, owned by {@code owner}. */
    NewLink ownedBy(@Nullable Long owner) {
        return new NewLink(owner, originalUrl, title, shortCode, isActive);
    }
}
