package dev.shortener.event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Clicks as narrow rows of {@code events} (ADR 0018) in COPY's binary format: PostgreSQL takes each
 * number and time as it is sent rather than parsing its text, about 0.35 µs less work a click than
 * CSV ({@code bench/clicks}, bench/RESULTS.md). A click whose texts have no id is not written here
 * ({@link ClickCsv#appendWide}).
 */
final class NarrowRows {

    /** Into %s (events or a partition): details stays at its default, {}, for event_details. */
    static final String COPY = "COPY %s (url_id, user_id, event_type, \"timestamp\","
            + " short_code_id, original_url_id, referrer_id, user_agent_id) FROM STDIN (FORMAT binary)";

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final short FIELDS = 8;
    /** The event type every row holds, encoded once. */
    private static final byte[] CLICK = "click".getBytes(StandardCharsets.US_ASCII);
    /** PostgreSQL's times count microseconds from 2000-01-01 00:00 UTC. */
    private static final long POSTGRES_EPOCH_SECOND = 946_684_800L;

    private NarrowRows() {}

    /**
     * One COPY's data: the clicks whose texts all have ids in {@code ids}, in order; returns the
     * others.
     */
    static List<Click> write(CopyText rows, List<Click> clicks, Map<String, Long> ids) {
        // the header: signature, no flags, no extension
        rows.raw(SIGNATURE).int32(0).int32(0);
        List<Click> others = new ArrayList<>(0);
        for (Click click : clicks) {
            if (!append(rows, click, ids)) {
                others.add(click);
            }
        }
        // the mark after the last row
        rows.int16((short) -1);
        return others;
    }

    /** The click as a row; false, writing nothing, when one of its texts has no id in {@code ids}. */
    private static boolean append(CopyText rows, Click click, Map<String, Long> ids) {
        Long shortCode = ids.get(click.shortCode());
        Long originalUrl = ids.get(click.originalUrl());
        Long referrer = click.referrer() == null ? null : ids.get(click.referrer());
        Long userAgent = click.userAgent() == null ? null : ids.get(click.userAgent());
        if (shortCode == null
                || originalUrl == null
                || (referrer == null) != (click.referrer() == null)
                || (userAgent == null) != (click.userAgent() == null)) {
            return false;
        }
        rows.int16(FIELDS);
        bigint(rows, click.urlId());
        nullable(rows, click.userId());
        rows.int32(CLICK.length).raw(CLICK);
        bigint(rows, (CopyText.second(click.atMillis()) - POSTGRES_EPOCH_SECOND) * 1_000_000);
        bigint(rows, shortCode);
        bigint(rows, originalUrl);
        nullable(rows, referrer);
        nullable(rows, userAgent);
        return true;
    }

    private static void bigint(CopyText rows, long value) {
        rows.int32(Long.BYTES).int64(value);
    }

    private static void nullable(CopyText rows, @Nullable Long value) {
        if (value == null) {
            rows.int32(-1);
        } else {
            bigint(rows, value);
        }
    }
}
