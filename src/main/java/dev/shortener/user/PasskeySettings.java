package dev.shortener.user;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where passkeys work: the relying party (the domain passkeys belong to) and the origins whose pages
 * may use them. Without settings: the origin of {@code PUBLIC_BASE_URL}, else
 * {@code http://localhost:<port>}, the zero-setup address (browsers allow passkeys on localhost
 * without TLS, never on an IP address).
 *
 * @param origins {@code PASSKEY_ORIGINS}: page origins, comma-separated ({@code https://sho.rt})
 * @param rpId {@code PASSKEY_RP_ID}: the relying party id; the host of the first origin by default
 * @param rpName the name authenticators show
 */
@ConfigurationProperties("shortener.passkeys")
public record PasskeySettings(
        @DefaultValue List<String> origins,
        @Nullable String rpId,
        @DefaultValue("Shortener") String rpName) {

    public PasskeySettings {
        origins = origins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        for (String origin : origins) {
            URI uri = URI.create(origin);
            if (uri.getScheme() == null
                    || uri.getHost() == null
                    || !(uri.getPath() == null || uri.getPath().isEmpty())) {
                throw new IllegalArgumentException(
                        "PASSKEY_ORIGINS takes origins such as https://sho.rt (scheme, host, port), not '" + origin
                                + "'");
            }
        }
        rpId = rpId == null || rpId.isBlank() ? null : rpId.trim();
    }

    /** The origins in force: the configured ones, else {@code publicBaseUrl}'s, else localhost at the port. */
    Set<String> originsFor(@Nullable String publicBaseUrl, int port) {
        Set<String> chosen = new LinkedHashSet<>(origins);
        if (chosen.isEmpty() && publicBaseUrl != null && !publicBaseUrl.isBlank()) {
            URI base = URI.create(publicBaseUrl.trim());
            chosen.add(base.getScheme() + "://" + base.getRawAuthority());
        }
        if (chosen.isEmpty()) {
            chosen.add("http://localhost:" + port);
        }
        return chosen;
    }

    /** The relying party id in force for these origins. */
    String rpIdFor(Set<String> origins) {
        return rpId != null ? rpId : URI.create(origins.iterator().next()).getHost();
    }
}
