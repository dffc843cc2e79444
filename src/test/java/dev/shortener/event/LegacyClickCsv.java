package dev.shortener.event;

import org.jspecify.annotations.Nullable;

/**
 * A click as one line of the COPY that journal records held before {@link ClickRecords}: the wide
 * row, {@code details} written out. The loader still stores such records ({@link
 * ClickCsv#LEGACY_COPY}), which a journal of an earlier version holds.
 */
final class LegacyClickCsv {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LegacyClickCsv() {}

    static void append(CopyText text, Click click) {
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
