package dev.shortener.identity;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDateTime;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** An API key as its owner sees it: never its secret, which is shown once, at creation. */
@Schema(name = "ApiKey", example = """
        {"id":3,"user_id":1,"name":"deploy script","prefix":"sk_4kQ9xZ2b","scopes":["links:read","links:write"],\
        "created_at":"2026-11-28T14:02:11","last_used_at":null,"expires_at":"2027-11-28T00:00:00"}""")
public record ApiKey(
        long id,
        @Nullable Long userId,
        String name,

        @Schema(description = "The first characters of the secret, to tell keys apart")
        String prefix,

        List<Scope> scopes,
        LocalDateTime createdAt,

        @Schema(description = "Written at most every AUTH_LAST_USED_FLUSH") @Nullable
        LocalDateTime lastUsedAt,

        @Nullable LocalDateTime expiresAt) {

    /** The answer to a create: the key and, this once, its secret. */
    @Schema(name = "IssuedApiKey")
    public record Issued(
            long id,
            @Nullable Long userId,
            String name,
            String prefix,
            List<Scope> scopes,
            LocalDateTime createdAt,
            @Nullable LocalDateTime expiresAt,

            @Schema(description = "The secret, for Authorization: Bearer; it is not stored and never shown again")
            String key) {

        Issued(ApiKey key, ApiKeySecret secret) {
            this(
                    key.id(),
                    key.userId(),
                    key.name(),
                    key.prefix(),
                    key.scopes(),
                    key.createdAt(),
                    key.expiresAt(),
                    secret.secret());
        }
    }
}
