package dev.shortener.link;

import dev.shortener.platform.JsonBody;
import org.jspecify.annotations.Nullable;

/** Reading the writable fields of a link from a request body, shared by create and update. */
final class LinkFields {

    static final int TITLE_MAX_LENGTH = 255;

    private LinkFields() {}

    /**
     * {@code original_url}, required or optional, as the destination policy keeps it; a refused one
     * is recorded as a field error naming the rule.
     */
    static @Nullable String originalUrl(JsonBody fields, boolean required, Destinations destinations) {
        String url = required
                ? fields.requiredText("original_url", OriginalUrl.MAX_LENGTH)
                : fields.optionalText("original_url", OriginalUrl.MAX_LENGTH, false);
        if (url == null) {
            return null;
        }
        Destination.Verdict verdict = destinations.judge(url);
        if (!verdict.accepted()) {
            fields.reject("original_url", verdict.message());
        }
        return verdict.url();
    }

    /** {@code title}: a string of at most {@value #TITLE_MAX_LENGTH} characters, or null. */
    static @Nullable String title(JsonBody fields) {
        return fields.optionalText("title", TITLE_MAX_LENGTH, true);
    }
}
