package dev.shortener.importing.load;

import dev.shortener.platform.MonthIds;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A row of an events file: {@code id,url_id,user_id,event_type,timestamp,details}; url_id and
 * event_type are required, details is the text of a JSON object (empty means {@code {}}).
 */
public record EventRow(
        long line,
        @Nullable Long id,
        long urlId,
        @Nullable Long userId,
        String eventType,
        @Nullable LocalDateTime timestamp,
        String details)
        implements Row {

    static final int MAX_EVENT_TYPE_LENGTH = 64;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The valid row, or null when the line's problems say why not. */
    static @Nullable EventRow read(CsvLine in) {
        Long id = in.optionalId("id");
        Long urlId = in.requiredId("url_id");
        Long userId = in.optionalId("user_id");
        String eventType = in.requiredText("event_type", MAX_EVENT_TYPE_LENGTH);
        LocalDateTime timestamp = in.optionalTimestamp("timestamp");
        String details = in.value("details");
        if (details == null) {
            details = "{}";
        } else if (!isJsonObject(details)) {
            in.reject("details", "must be the text of a JSON object");
        }
        // the id sequence follows an imported id: it must stay in a month attached ahead, which
        // next month is for a month of failed partition runs (ADR 0020)
        if (id != null) {
            long limit = MonthIds.firstId(YearMonth.now(ZoneOffset.UTC).plusMonths(1));
            if (id >= limit) {
                in.reject("id", "must be below " + limit + ", the first id of next month (ADR 0020)");
            }
        }
        if (urlId == null || eventType == null || !in.isValid()) {
            return null;
        }
        return new EventRow(in.line(), id, urlId, userId, eventType, timestamp, details);
    }

    private static boolean isJsonObject(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject();
        } catch (JacksonException e) {
            return false;
        }
    }

    @Override
    public void stage(StagingWriter out) {
        out.add(id).add(urlId).add(userId).add(eventType).add(timestamp).add(details);
    }
}
