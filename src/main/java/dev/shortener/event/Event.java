package dev.shortener.event;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** One entry of the events log as the API shows it; {@code details} is always a JSON object. */
@Schema(name = "Event", example = """
        {"id":1,"url_id":1,"user_id":1,"event_type":"created","timestamp":"2025-06-22T20:54:35",\
        "details":{"short_code":"WqxP6Kd","original_url":"https://seeded.app/gold/meadow/1"}}""")
public record Event(
        long id,
        long urlId,
        @Nullable Long userId,
        String eventType,
        LocalDateTime timestamp,

        @Schema(types = "object", description = "Free-form JSON object; its keys depend on event_type")
        JsonNode details,

        @Schema(
                description =
                        "Who caused it: key:<id>, user:<id> (a session) or anonymous; null for clicks and imports")
        @Nullable
        String actor) {

    /** Recorded when a link is created; details {@code short_code}, {@code original_url}. */
    public static final String CREATED = "created";
    /** Recorded once per changed field of a link; details {@code field}, {@code new_value}. */
    public static final String UPDATED = "updated";
    /** Recorded when a link is deleted; details {@code reason}. */
    public static final String DELETED = "deleted";
    /** Recorded when an admin takes a link down; details {@code reason}. */
    public static final String BLOCKED = "blocked";
    /** Recorded when an admin puts a blocked link back. */
    public static final String UNBLOCKED = "unblocked";
    /** Recorded per successful redirect. */
    public static final String CLICK = "click";

    public static final int TYPE_MAX_LENGTH = 64;
}
