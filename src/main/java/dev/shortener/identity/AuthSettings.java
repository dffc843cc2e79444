package dev.shortener.identity;

import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of authentication.
 *
 * @param mode {@code AUTH_MODE}: {@code keys}, {@code open}, or unset for open to loopback
 *     clients only (ADR 0004)
 * @param adminApiKey {@code ADMIN_API_KEY}: an operator's key with the admin scope, at least 32
 *     characters; none when unset
 * @param keyCacheTtl how long an instance trusts what it read of a key ({@code
 *     AUTH_KEY_CACHE_TTL}); a revocation reaches every instance within it
 * @param lastUsedFlush how often the keys' {@code last_used_at} is written ({@code
 *     AUTH_LAST_USED_FLUSH})
 * @param sessionTimeout how long a signed-in browser session lives unused ({@code SESSION_TIMEOUT});
 *     one nobody signed in to lives {@code server.servlet.session.timeout}
 * @param freshSignIn how recent a password or passkey sign-in must be for its session to create API
 *     keys ({@code AUTH_FRESH_SIGN_IN})
 */
@ConfigurationProperties("shortener.auth")
record AuthSettings(
        @DefaultValue("") String mode,
        @Nullable String adminApiKey,
        @DefaultValue("500ms") Duration keyCacheTtl,
        @DefaultValue("30s") Duration lastUsedFlush,
        @DefaultValue("8h") Duration sessionTimeout,
        @DefaultValue("15m") Duration freshSignIn) {

    static final int MIN_ADMIN_KEY_LENGTH = 32;

    enum Mode {
        /** Every route but the public ones needs a key or a session. */
        KEYS,
        /** The contract's anonymous API for everyone. */
        OPEN,
        /** Open to loopback clients, keys for every other address. */
        LOOPBACK_OPEN
    }

    AuthSettings {
        parse(mode);
        if (adminApiKey != null && adminApiKey.isBlank()) {
            adminApiKey = null;
        }
        if (adminApiKey != null && adminApiKey.length() < MIN_ADMIN_KEY_LENGTH) {
            throw new IllegalArgumentException("ADMIN_API_KEY must have at least " + MIN_ADMIN_KEY_LENGTH
                    + " characters (generate one with: openssl rand -base64 32)");
        }
        if (keyCacheTtl.isNegative() || keyCacheTtl.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException(
                    "shortener.auth.key-cache-ttl must be from 0 to 1s (revocations must apply within 1 s)");
        }
        if (!lastUsedFlush.isPositive()) {
            throw new IllegalArgumentException("shortener.auth.last-used-flush must be positive");
        }
    }

    Mode parsedMode() {
        return parse(mode);
    }

    private static Mode parse(String mode) {
        return switch (mode.trim().toLowerCase(Locale.ROOT)) {
            case "" -> Mode.LOOPBACK_OPEN;
            case "keys" -> Mode.KEYS;
            case "open" -> Mode.OPEN;
            default -> throw new IllegalArgumentException("AUTH_MODE must be keys, open or unset; was " + mode);
        };
    }
}
