package dev.shortener.event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The partition of {@code events} a click loader's rows go to (ADR 0020, V31): the one holding the
 * id the sequence gives next, remembered with its bounds, so that the catalog, which costs about a
 * tenth of a millisecond per partition to read, is read once a month rather than once a chunk; and
 * the tally its rows owe.
 */
final class ClickPartition {

    /** Where rows go when no partition holds their ids: PostgreSQL routes them, or refuses them. */
    static final String EVENTS = "events";

    private static final String HOLDING = """
            SELECT name, coalesce(from_id, %d), to_id FROM event_partitions
            WHERE coalesce(from_id <= ?, true) AND ? < to_id""".formatted(Long.MIN_VALUE);

    /** A row outside the partition it was copied into: the sequence moved on to the next one meanwhile. */
    private static final String PARTITION_CONSTRAINT = "23514";
    // what events' statement trigger counts when rows go through events (V17)
    private static final String TALLY = "INSERT INTO event_tallies (event_type, events) VALUES ('click', ?)";

    private record Bounds(String name, long from, long to) {
        boolean hold(long id) {
            return from <= id && id < to;
        }
    }

    private volatile @Nullable Bounds remembered;

    /** The partition that holds {@code id}; {@link #EVENTS} when none does. */
    String holding(Connection connection, long id) throws SQLException {
        Bounds bounds = remembered;
        if (bounds != null && bounds.hold(id)) {
            return bounds.name();
        }
        try (PreparedStatement find = connection.prepareStatement(HOLDING)) {
            find.setLong(1, id);
            find.setLong(2, id);
            try (ResultSet row = find.executeQuery()) {
                if (!row.next()) {
                    return EVENTS;
                }
                remembered = new Bounds(row.getString(1), row.getLong(2), row.getLong(3));
                return row.getString(1);
            }
        }
    }

    /** Tallies clicks copied into a partition, where no statement trigger of events runs; or takes some back. */
    static int tally(Connection connection, long clicks) throws SQLException {
        try (PreparedStatement tally = connection.prepareStatement(TALLY)) {
            tally.setLong(1, clicks);
            return tally.executeUpdate();
        }
    }

    /** Whether PostgreSQL refused rows copied into {@code table} because their ids lie outside it. */
    static boolean refused(String table, Throwable e) {
        return !table.equals(EVENTS) && e instanceof SQLException sql && PARTITION_CONSTRAINT.equals(sql.getSQLState());
    }

    /** Rows a partition refused: the sequence moved on after the loader read it. */
    static final class Refused extends SQLException {
        Refused(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    /** Forgets the partition: it refused rows, so its bounds are read again. */
    void forget() {
        remembered = null;
    }
}
