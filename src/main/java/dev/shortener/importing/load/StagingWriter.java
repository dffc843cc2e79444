package dev.shortener.importing.load;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes rows in PostgreSQL's COPY CSV format: null is an unquoted empty field and text is always
 * quoted, so an empty string and a line holding {@code \.} stay data. Rows are appended to a
 * buffer of its own, sent to the COPY every 64 KiB: a {@code Writer} would take its lock for every
 * field.
 */
public final class StagingWriter {

    /** Stages the rows of one COPY. */
    @FunctionalInterface
    interface Rows {
        void stage(StagingWriter out) throws SQLException;
    }

    private static final int SEND_AT = 1 << 16;

    private final CopyIn copy;
    private final @Nullable Object[] defaults;
    private final boolean skipFirst;
    private final StringBuilder text = new StringBuilder(SEND_AT + 4096);
    private int position;

    /**
     * A writer that writes {@code defaults[i]} for a null i-th value of a row, and leaves the first
     * value of every row out when {@code skipFirst} is set.
     */
    private StagingWriter(CopyIn copy, @Nullable Object[] defaults, boolean skipFirst) {
        this.copy = copy;
        this.defaults = defaults.clone();
        this.skipFirst = skipFirst;
    }

    StagingWriter add(@Nullable Object given) {
        int at = position++;
        if (skipFirst && at == 0) {
            return this;
        }
        Object value = given == null && at < defaults.length ? defaults[at] : given;
        if (at > (skipFirst ? 1 : 0)) {
            text.append(',');
        }
        switch (value) {
            case null -> {}
            case String string ->
                text.append('"').append(string.replace("\"", "\"\"")).append('"');
            case LocalDateTime timestamp -> text.append(timestamp);
            case Number number -> text.append(number);
            case Boolean bool -> text.append(bool ? 't' : 'f');
            default -> throw new IllegalArgumentException("Cannot stage a " + value.getClass());
        }
        return this;
    }

    void endRow() throws SQLException {
        text.append('\n');
        position = 0;
        if (text.length() >= SEND_AT) {
            send();
        }
    }

    private void send() throws SQLException {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        text.setLength(0);
    }

    /** Runs a {@code COPY ... FROM STDIN} statement with the rows {@code rows} stages. */
    static void copy(Connection connection, String sql, Rows rows) throws SQLException {
        copy(connection, sql, new Object[0], false, rows);
    }

    /** The same, with values for null fields and the first value of each row left out (see above). */
    static void copy(Connection connection, String sql, @Nullable Object[] defaults, boolean skipFirst, Rows rows)
            throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            StagingWriter writer = new StagingWriter(copy, defaults, skipFirst);
            rows.stage(writer);
            writer.send();
            copy.endCopy();
        } catch (SQLException | RuntimeException e) {
            // the failure the caller tells apart (a refused row, say) is this one, not the cancel's
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException cancel) {
                    e.addSuppressed(cancel);
                }
            }
            throw e;
        }
    }
}
