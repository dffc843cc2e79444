package dev.shortener.link;

import java.net.URI;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the link feature.
 *
 * @param codeLength length of generated short codes ({@code SHORT_CODE_LENGTH}, default 7)
 * @param codeAttempts how many random codes to try before giving up on a create ({@code
 *     SHORT_CODE_ATTEMPTS}, default 10)
 * @param publicBaseUrl where the service's short links live ({@code PUBLIC_BASE_URL}); links to
 *     its host would loop
 * @param shortDomains more host names of the service, comma-separated ({@code SHORT_DOMAINS})
 * @param blocklistFile domains no link may point to, one a line ({@code BLOCKLIST_FILE})
 */
@ConfigurationProperties("shortener.links")
record LinkSettings(
        @DefaultValue("7") int codeLength,
        @DefaultValue("10") int codeAttempts,
        @Nullable String publicBaseUrl,
        @DefaultValue("") String shortDomains,
        @Nullable String blocklistFile) {

    LinkSettings {
        if (codeLength < 4 || codeLength > ShortCode.MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "shortener.links.code-length must be from 4 to " + ShortCode.MAX_LENGTH + ", was " + codeLength);
        }
        if (codeAttempts < 1) {
            throw new IllegalArgumentException("shortener.links.code-attempts must be at least 1, was " + codeAttempts);
        }
        ownHosts(publicBaseUrl, shortDomains);
    }

    /** The service's own host names (lower-case ASCII): no link may point to them. */
    Set<String> ownHosts() {
        return ownHosts(publicBaseUrl, shortDomains);
    }

    private static Set<String> ownHosts(@Nullable String publicBaseUrl, String shortDomains) {
        Set<String> hosts = new HashSet<>();
        if (publicBaseUrl != null && !publicBaseUrl.isBlank()) {
            String host = URI.create(publicBaseUrl.trim()).getHost();
            if (host == null) {
                throw new IllegalArgumentException("PUBLIC_BASE_URL must be an absolute URL, was " + publicBaseUrl);
            }
            hosts.add(host.toLowerCase(Locale.ROOT));
        }
        Arrays.stream(shortDomains.split(","))
                .map(String::trim)
                .filter(domain -> !domain.isEmpty())
                .forEach(domain -> hosts.add(Blocklist.normalized(domain)
                        .orElseThrow(() -> new IllegalArgumentException("SHORT_DOMAINS has a bad domain: " + domain))));
        return hosts;
    }
}
