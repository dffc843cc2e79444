package dev.shortener.link;

import dev.shortener.platform.JsonBody;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/** The fields a client may change on a link; only those present in the body are applied. */
@Schema(name = "UrlChanges", example = """
        {"title":"Renamed guide","is_active":false}""")
record LinkChanges(
        @Schema(format = "uri", maxLength = OriginalUrl.MAX_LENGTH) @Nullable
        String originalUrl,

        @Schema(maxLength = LinkFields.TITLE_MAX_LENGTH, nullable = true) @Nullable
        String title,

        @Nullable Boolean isActive) {

    /** Reads the body into the change it asks for. */
    static UnaryOperator<Link> read(byte @Nullable [] body, ObjectMapper json, Destinations destinations) {
        JsonBody fields = JsonBody.parse(body, json);
        String url = LinkFields.originalUrl(fields, false, destinations);
        boolean retitles = fields.has("title");
        String title = LinkFields.title(fields);
        Boolean active = fields.optionalBoolean("is_active");
        fields.validate();
        return link -> {
            Link changed = url == null ? link : link.withOriginalUrl(url);
            changed = retitles ? changed.withTitle(title) : changed;
            return active == null ? changed : changed.withActive(active);
        };
    }
}
