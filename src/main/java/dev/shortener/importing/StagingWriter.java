package dev.shortener.importing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;

/**
 * Writes rows in PostgreSQL's COPY CSV format: null is an unquoted empty field and text is always
 * quoted, so an empty string and a line holding {@code \.} stay data.
 */
final class StagingWriter {

    private final Writer out;
    private boolean firstInRow = true;

    StagingWriter(Writer out) {
        this.out = out;
    }

    StagingWriter add(@Nullable Object value) {
        try {
            if (!firstInRow) {
                out.write(',');
            }
            firstInRow = false;
            switch (value) {
                case null -> {}
                case String text -> {
                    out.write('"');
                    out.write(text.replace("\"", "\"\""));
                    out.write('"');
                }
                case LocalDateTime timestamp -> out.write(timestamp.toString());
                case Number number -> out.write(number.toString());
                case Boolean bool -> out.write(bool ? "t" : "f");
                default -> throw new IllegalArgumentException("Cannot stage a " + value.getClass());
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void endRow() {
        try {
            out.write('\n');
            firstInRow = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
