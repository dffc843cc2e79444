package dev.shortener.user;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
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
 * @param rpId {@code PASSKEY_RP_ID}: the relying party id, the origins' host or a parent domain of
 *     it; the host of the first origin by default
 * @param rpName the name authenticators show
 */
@ConfigurationProperties("shortener.passkeys")
public record PasskeySettings(
        @DefaultValue List<String> origins,
        @Nullable String rpId,
        @DefaultValue("Shortener") String rpName) {

    private static final Pattern IP_ADDRESS = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F:]+]?");

    public PasskeySettings {
        origins = origins.stream()
                .map(String::trim)
                .filter(origin -> !origin.isEmpty())
                .map(PasskeySettings::origin)
                .toList();
        rpId = rpId == null || rpId.isBlank() ? null : rpId.trim().toLowerCase(Locale.ROOT);
        for (String origin : origins) {
            String host = URI.create(origin).getHost();
            if (rpId != null && !host.equals(rpId) && !host.endsWith("." + rpId)) {
                throw new IllegalArgumentException(
                        "PASSKEY_RP_ID " + rpId + " must be the host of " + origin + " or a parent domain of it");
            }
        }
    }

    /** The origins in force: the configured ones, else {@code publicBaseUrl}'s, else localhost at the port. */
    Set<String> originsFor(@Nullable String publicBaseUrl, int port) {
        Set<String> chosen = new LinkedHashSet<>(origins);
        if (chosen.isEmpty() && publicBaseUrl != null && !publicBaseUrl.isBlank()) {
            chosen.add(origin(publicBaseUrl.trim()));
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

    static boolean isIpAddress(String host) {
        return IP_ADDRESS.matcher(host).matches();
    }

    /** The origin of a URL: scheme, lower-case host, and the port when the URL names one. */
    private static String origin(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Not a URL for passkeys: '" + url + "'", e);
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"https".equals(scheme) && !"http".equals(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "PASSKEY_ORIGINS and PUBLIC_BASE_URL take http(s) URLs such as https://sho.rt, not '" + url + "'");
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}
