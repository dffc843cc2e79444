package dev.shortener.event;

import java.util.Map;

/**
 * A click as one line of {@link #COPY}: a narrow row of {@code events}, its texts as the ids of
 * {@link ClickTexts}, written straight into a {@link CopyText} (ADR 0002, 0018).
 */
final class ClickCsv {

    static final String COPY = "COPY events (url_id, user_id, event_type, \"timestamp\", details,"
            + " short_code_id, original_url_id, referrer_id, user_agent_id) FROM STDIN (FORMAT csv)";

    /** The COPY of journal records written before {@link ClickRecords}: lines of wide rows. */
    static final String LEGACY_COPY =
            "COPY events (url_id, user_id, event_type, \"timestamp\", details) FROM STDIN (FORMAT csv)";

    private ClickCsv() {}

    /** {@code ids} holds the id of each of the click's texts. */
    static void append(CopyText text, Click click, Map<String, Long> ids) {
        text.number(click.urlId()).ascii(',');
        if (click.userId() != null) {
            text.number(click.userId());
        }
        // details stays null: click_details rebuilds it
        text.ascii(",click,").timestamp(click.atMillis()).ascii(",,");
        text.number(ids.get(click.shortCode())).ascii(',');
        text.number(ids.get(click.originalUrl())).ascii(',');
        if (click.referrer() != null) {
            text.number(ids.get(click.referrer()));
        }
        text.ascii(',');
        if (click.userAgent() != null) {
            text.number(ids.get(click.userAgent()));
        }
        text.ascii('\n');
    }
}
