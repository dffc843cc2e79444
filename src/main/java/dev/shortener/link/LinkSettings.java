package dev.shortener.link;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the link feature.
 *
 * @param codeLength length of generated short codes ({@code SHORT_CODE_LENGTH}, default 7)
 * @param codeAttempts how many random codes to try before giving up on a create ({@code
 *     SHORT_CODE_ATTEMPTS}, default 10)
 */
@ConfigurationProperties("shortener.links")
record LinkSettings(
        @DefaultValue("7") int codeLength,
        @DefaultValue("10") int codeAttempts) {

    LinkSettings {
        if (codeLength < 4 || codeLength > ShortCode.MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "shortener.links.code-length must be from 4 to " + ShortCode.MAX_LENGTH + ", was " + codeLength);
        }
        if (codeAttempts < 1) {
            throw new IllegalArgumentException("shortener.links.code-attempts must be at least 1, was " + codeAttempts);
        }
    }
}
