package dev.shortener.link;

import dev.shortener.platform.JsonRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Size;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/** The fields a client may change on a link; only those present in the body are applied. */
@JsonRequest(partial = true)
@Schema(name = "UrlChanges", example = """
        {"title":"Renamed guide","is_active":false}""")
record LinkChanges(
        @Schema(implementation = String.class, format = "uri", maxLength = OriginalUrl.MAX_LENGTH)
        @Nullable
        @AllowedDestination
        OriginalUrl originalUrl,

        @Schema(implementation = String.class, maxLength = Link.TITLE_MAX_LENGTH, nullable = true) @Nullable
        Optional<@Size(max = Link.TITLE_MAX_LENGTH) String> title,

        @Nullable Boolean isActive) {

    /** The change this asks for, with the target the destination policy stores. */
    UnaryOperator<Link> change(Destinations destinations) {
        String url = originalUrl == null
                ? null
                : destinations.judge(originalUrl.url()).url();
        return link -> {
            Link changed = url == null ? link : link.withOriginalUrl(url);
            changed = title == null ? changed : changed.withTitle(title.orElse(null));
            return isActive == null ? changed : changed.withActive(isActive);
        };
    }
}
