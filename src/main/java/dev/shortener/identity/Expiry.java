package dev.shortener.identity;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * When an API key stops working, in UTC as the database keeps it: read from an ISO-8601 date and
 * time with an offset, or without one in UTC (the form the API writes), and in the future.
 */
record Expiry(LocalDateTime utc) {

    private static final Pattern OFFSET = Pattern.compile("(Z|[+-]\\d\\d:\\d\\d)$");

    /** The expiry {@code text} names; its messages are the field's (JsonRequestReader shows them). */
    @JsonCreator
    static Expiry parse(String text) {
        LocalDateTime at;
        try {
            at = OFFSET.matcher(text).find()
                    ? OffsetDateTime.parse(text)
                            .withOffsetSameInstant(ZoneOffset.UTC)
                            .toLocalDateTime()
                    : LocalDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("must be an ISO-8601 date and time, such as 2027-12-31T00:00:00Z");
        }
        if (!at.isAfter(LocalDateTime.now(ZoneOffset.UTC))) {
            throw new IllegalArgumentException("must be in the future");
        }
        return new Expiry(at);
    }
}
