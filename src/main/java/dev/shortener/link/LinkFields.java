package dev.shortener.link;

import dev.shortener.platform.JsonBody;
import org.jspecify.annotations.Nullable;

/** Reading the writable fields of a link from a request body, shared by create and update. */
final class LinkFields {

    static final int TITLE_MAX_LENGTH = 255;

    private LinkFields() {}

    /** {@code original_url}, required or optional; an invalid one is recorded as a field error. */
    static @Nullable String originalUrl(JsonBody fields, boolean required) {
        String url = required
                ? fields.requiredText("original_url", OriginalUrl.MAX_LENGTH)
                : fields.optionalText("original_url", OriginalUrl.MAX_LENGTH, false);
        if (url != null && !OriginalUrl.isValid(url)) {
            fields.reject("original_url", OriginalUrl.RULE);
            return null;
        }
        return url;
    }

    /** {@code title}: a string of at most {@value #TITLE_MAX_LENGTH} characters, or null. */
    static @Nullable String title(JsonBody fields) {
        return fields.optionalText("title", TITLE_MAX_LENGTH, true);
    }
}
