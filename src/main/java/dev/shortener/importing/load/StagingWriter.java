package dev.shortener.importing.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Writes rows in PostgreSQL's COPY CSV format: null is an unquoted empty field and text is always
 * quoted, so an empty string and a line holding {@code \.} stay data.
 */
public final class StagingWriter {

    private final Writer out;
    private final @Nullable Object[] defaults;
    private final boolean skipFirst;
    private int position;

    StagingWriter(Writer out) {
        this(out, new Object[0], false);
    }

    /**
     * A writer that writes {@code defaults[i]} for a null i-th value of a row, and leaves the first
     * value of every row out when {@code skipFirst} is set.
     */
    StagingWriter(Writer out, @Nullable Object[] defaults, boolean skipFirst) {
        this.out = out;
        this.defaults = defaults.clone();
        this.skipFirst = skipFirst;
    }

    StagingWriter add(@Nullable Object given) {
        int at = position++;
        if (skipFirst && at == 0) {
            return this;
        }
        Object value = given == null && at < defaults.length ? defaults[at] : given;
        try {
            if (at > (skipFirst ? 1 : 0)) {
                out.write(',');
            }
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
            position = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams what {@code rows} writes into a {@code COPY ... FROM STDIN} statement. */
    static void copy(Connection connection, String sql, Consumer<Writer> rows) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        try (Writer out = new BufferedWriter(
                new OutputStreamWriter(new PGCopyOutputStream(postgres, sql, 1 << 16), StandardCharsets.UTF_8))) {
            rows.accept(out);
        } catch (IOException | UncheckedIOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof SQLException refused) {
                    throw refused;
                }
            }
            throw new SQLException("COPY failed", "08000", e);
        }
    }
}
