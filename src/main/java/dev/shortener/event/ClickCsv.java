package dev.shortener.event;

import org.jspecify.annotations.Nullable;

/**
 * A click whose texts have no id ({@link NarrowRows}) as a line of {@link #WIDE_COPY}, the row every
 * click was before (ADR 0018); journal records of the first kind hold such lines. Written straight
 * into a {@link CopyText}: no object mapper and no intermediate string (ADR 0002).
 */
final class ClickCsv {

    /** Wide rows into %s, as journal records of the first kind hold them (ClickJournal.LEGACY_MAGIC). */
    static final String WIDE_COPY =
            "COPY %s (url_id, user_id, event_type, \"timestamp\", details) FROM STDIN (FORMAT csv)";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ClickCsv() {}

    /** A click as a line of {@link #WIDE_COPY}, its details written out. */
    static void appendWide(CopyText text, Click click) {
        text.number(click.urlId()).ascii(',');
        if (click.userId() != null) {
            text.number(click.userId());
        }
        text.ascii(",click,").timestamp(click.atMillis()).ascii(',');
        details(text, click);
        text.ascii('\n');
    }

    /** The click's details as the contract names them: a JSON object inside one quoted CSV field. */
    private static void details(CopyText csv, Click click) {
        csv.ascii("\"{\"\"short_code\"\":");
        jsonString(csv, click.shortCode());
        csv.ascii(",\"\"original_url\"\":");
        jsonString(csv, click.originalUrl());
        csv.ascii(",\"\"referrer\"\":");
        jsonString(csv, click.referrer());
        csv.ascii(",\"\"user_agent\"\":");
        jsonString(csv, click.userAgent());
        csv.ascii("}\"");
    }

    /**
     * A JSON string (RFC 8259 escapes) inside a quoted CSV field (quotes doubled). NUL is dropped:
     * PostgreSQL's jsonb refuses it even escaped.
     */
    private static void jsonString(CopyText csv, @Nullable String value) {
        if (value == null) {
            csv.ascii("null");
            return;
        }
        csv.ascii("\"\"");
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> csv.ascii("\\\"\"");
                case '\\' -> csv.ascii("\\\\");
                case '\n' -> csv.ascii("\\n");
                case '\r' -> csv.ascii("\\r");
                case '\t' -> csv.ascii("\\t");
                case '\0' -> {}
                default -> {
                    if (c < 0x20) {
                        csv.ascii("\\u00").ascii(HEX[c >> 4]).ascii(HEX[c & 0xF]);
                    } else {
                        csv.codePoint(c);
                    }
                }
            }
        }
        csv.ascii("\"\"");
    }
}
