package dev.shortener.event;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The clicks of a journal record: link, user (-1 for none) and time as 8-byte numbers, then the
 * short code, destination, referrer and user agent as counted UTF-8 ({@link CopyText#utf8}). The
 * loader turns them into narrow rows with the texts' dictionary ids (ADR 0018), which lines of COPY
 * text, as records held before, could not give it without parsing them back.
 */
final class ClickRecords {

    /** A click's record is about this long; buffers start at this many bytes a click. */
    static final int CLICK_BYTES = 192;

    private static final long NO_USER = -1;

    private ClickRecords() {}

    static void append(CopyText record, Click click) {
        record.int64(click.urlId())
                .int64(click.userId() == null ? NO_USER : click.userId())
                .int64(click.atMillis())
                .utf8(click.shortCode())
                .utf8(click.originalUrl())
                .utf8(click.referrer())
                .utf8(click.userAgent());
    }

    /** The clicks of the first {@code length} bytes of {@code bytes}, whole records appended one after another. */
    static List<Click> read(byte[] bytes, int length, int clicks) {
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        List<Click> read = new ArrayList<>(clicks);
        while (in.hasRemaining()) {
            long urlId = in.getLong();
            long userId = in.getLong();
            long atMillis = in.getLong();
            String shortCode = text(in);
            String originalUrl = text(in);
            read.add(new Click(
                    urlId,
                    userId == NO_USER ? null : userId,
                    shortCode == null ? "" : shortCode,
                    originalUrl == null ? "" : originalUrl,
                    text(in),
                    text(in),
                    atMillis));
        }
        return read;
    }

    private static @Nullable String text(ByteBuffer in) {
        int size = in.getInt();
        if (size < 0) {
            return null;
        }
        String text = new String(in.array(), in.position(), size, StandardCharsets.UTF_8);
        in.position(in.position() + size);
        return text;
    }
}
