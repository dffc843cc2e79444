package dev.shortener.link;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The target of a link, valid by the rule the API, the pages and the importer share. */
public record OriginalUrl(String url) {

    public static final int MAX_LENGTH = 2048;

    /** The rule as a field message. */
    public static final String RULE = "must be an absolute http or https URL with a host, without spaces";

    public OriginalUrl {
        if (!isValid(url)) {
            throw new IllegalArgumentException(RULE);
        }
    }

    /** The URL a JSON field holds, as written; a refusal is the field's message. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static OriginalUrl of(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("size must be between 0 and " + MAX_LENGTH);
        }
        return new OriginalUrl(text);
    }

    @Override
    public String toString() {
        return url;
    }

    /**
     * Whether {@code url} is an absolute http or https URL with a host, at most {@value #MAX_LENGTH}
     * characters, without whitespace or control characters.
     */
    public static boolean isValid(String url) {
        if (url.isEmpty() || url.length() > MAX_LENGTH || url.codePoints().anyMatch(OriginalUrl::isBlankOrControl)) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.isOpaque()) {
            return false;
        }
        String lower = scheme.toLowerCase(Locale.ROOT);
        if (!lower.equals("http") && !lower.equals("https")) {
            return false;
        }
        String host = uri.getHost();
        return host != null ? !host.isEmpty() : hasRegistryHost(uri.getRawAuthority());
    }

    /**
     * {@link URI} leaves the host null for names it does not parse as a server (underscores,
     * internationalized names); such an authority still counts when it holds a plausible host.
     */
    private static boolean hasRegistryHost(@Nullable String authority) {
        if (authority == null) {
            return false;
        }
        String host = authority.substring(authority.lastIndexOf('@') + 1).replaceFirst(":\\d*$", "");
        return !host.isEmpty()
                && host.codePoints().anyMatch(Character::isLetterOrDigit)
                && host.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || "-._~%".indexOf(c) >= 0);
    }

    private static boolean isBlankOrControl(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c);
    }
}
