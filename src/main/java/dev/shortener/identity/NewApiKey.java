package dev.shortener.identity;

import dev.shortener.platform.JsonRequest;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.LocalDateTime;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A key to create. */
@JsonRequest
@Schema(name = "ApiKeyInput", example = """
        {"name":"deploy script","scopes":["links:read","links:write"],"expires_at":"2027-12-31T00:00:00Z"}""")
record NewApiKey(
        @Schema(description = "Admins only: the user the key acts for (default: the caller's user)") @Nullable @Positive
        Long userId,

        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 100) @NotNull @NotBlank @Size(max = 100)
        String name,

        @ArraySchema(
                schema = @Schema(allowableValues = {"links:read", "links:write", "stats:read", "admin"}),
                minItems = 1,
                arraySchema = @Schema(requiredMode = Schema.RequiredMode.REQUIRED))
        @NotNull
        @NotEmpty
        Set<Scope> scopes,

        @Schema(
                type = "string",
                format = "date-time",
                description = "In the future; with an offset, or without one in UTC")
        @Nullable
        Expiry expiresAt) {

    NewApiKey {
        name = name == null ? null : name.trim();
    }

    /** The expiry as the database keeps it: UTC, without an offset. */
    @Nullable
    LocalDateTime expiresAtUtc() {
        return expiresAt == null ? null : expiresAt.utc();
    }
}
