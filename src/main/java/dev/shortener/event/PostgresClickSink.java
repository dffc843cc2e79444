package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import dev.shortener.platform.IdSequences;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The click sink in PostgreSQL: the journal's position in {@code click_journals}, and each chunk's
 * COPY into the partition of {@code events} its ids go to ({@link ClickPartition}), narrow rows whose
 * texts are ids of {@link ClickTexts}, in one transaction with the move of that position, so that no
 * chunk is stored twice; each round trip is timed, for pacing.
 */
final class PostgresClickSink implements ClickSink {

    // logs as the loader, the name operations know its lines by
    private static final Logger log = LoggerFactory.getLogger(ClickLoader.class);

    private static final String REGISTER =
            "INSERT INTO click_journals (id, segment, byte_offset) VALUES (?, 0, 0) ON CONFLICT (id) DO NOTHING";
    private static final String STORED = "SELECT segment, byte_offset FROM click_journals WHERE id = ?";
    // Moves the position and sets the COPY's statement timeout in one round trip; no row when an
    // earlier attempt committed past the chunk's start after all (its answer was lost). The COPY's
    // ids come from the sequence: the click trigger need not wait for a fold (V29). Tallies the
    // clicks a COPY into a partition stores, and reads the next id, to find that partition (V31).
    private static final String ADVANCE = """
            WITH tallied AS (INSERT INTO event_tallies (event_type, events)
                             SELECT 'click', n FROM (SELECT ?::bigint n) c WHERE n <> 0)
            UPDATE click_journals SET segment = ?, byte_offset = ?, loaded_at = now()
            WHERE id = ? AND (segment, byte_offset) <= (?, ?)
            RETURNING next_event_id(), set_config('statement_timeout', ?, true),
                      set_config('shortener.ids_from_sequence', 'on', true)""";
    private static final String RESET = "UPDATE click_journals SET segment = 0, byte_offset = 0 WHERE id = ?";

    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * Characters of text a sink keeps the ids of (about 32 MB of heap): the short codes and
     * destinations of some 200,000 links and most referrers and agents of a busy day. A text not
     * kept costs the loader a lookup in PostgreSQL (bench/RESULTS.md, redirect history).
     */
    private static final long REMEMBERED_CHARS = 16_000_000;

    private final DataSource dataSource;
    private final Duration copyTimeout;
    private final ClickTexts texts = new ClickTexts(REMEMBERED_CHARS);

    private final RoundTrips roundTrips = new RoundTrips();
    private final ClickPartition partition = new ClickPartition();

    PostgresClickSink(DataSource dataSource, Duration copyTimeout) {
        this.dataSource = dataSource;
        this.copyTimeout = copyTimeout;
    }

    @Override
    public boolean answersQuickly() {
        return roundTrips.quick();
    }

    /** Registers a journal PostgreSQL does not know at its start. */
    @Override
    public Position storedPosition(UUID journal) throws SQLException {
        try (Connection connection = connection()) {
            try (PreparedStatement register = connection.prepareStatement(REGISTER)) {
                register.setObject(1, journal);
                register.executeUpdate();
            }
            try (PreparedStatement stored = connection.prepareStatement(STORED)) {
                stored.setObject(1, journal);
                try (ResultSet row = stored.executeQuery()) {
                    row.next();
                    return new Position(row.getLong(1), row.getLong(2));
                }
            }
        }
    }

    @Override
    public void reset(UUID journal) throws SQLException {
        try (Connection connection = connection();
                PreparedStatement reset = connection.prepareStatement(RESET)) {
            reset.setObject(1, journal);
            reset.executeUpdate();
        }
    }

    /**
     * The texts' ids first, then the move of the position and the chunk's COPYs into the partition the
     * sequence points into, in one transaction; through {@code events} if it moved on meanwhile.
     */
    @Override
    public boolean store(UUID journal, Chunk chunk, byte[] records) throws SQLException {
        try {
            return store(journal, chunk, records, true);
        } catch (ClickPartition.Refused e) {
            partition.forget();
            boolean stored = store(journal, chunk, records, false);
            log.info("Clicks copied into a partition of events the id sequence had left were stored through events");
            return stored;
        }
    }

    private boolean store(UUID journal, Chunk chunk, byte[] records, boolean intoPartition) throws SQLException {
        try (Connection connection = connection()) {
            connection.setNetworkTimeout(
                    Runnable::run, (int) copyTimeout.plusSeconds(1).toMillis());
            List<Copy> copies = copiesOf(connection, chunk, records);
            connection.setAutoCommit(false);
            String table = ClickPartition.EVENTS;
            try {
                long tallied = intoPartition ? chunk.clicks() : 0;
                Long nextId = advance(connection, journal, chunk, tallied);
                if (nextId == null) {
                    connection.rollback();
                    return false;
                }
                if (intoPartition) {
                    table = roundTrips.maybe(() -> partition.holding(connection, nextId));
                }
                long stored = 0;
                for (Copy rows : copies) {
                    stored += copy(connection, rows.sql().formatted(table), rows);
                }
                // tallied ahead as a partition's; events' trigger tallies what goes through events
                long owed = (table.equals(ClickPartition.EVENTS) ? 0 : stored) - tallied;
                if (owed != 0) {
                    roundTrips.make(() -> ClickPartition.tally(connection, owed));
                }
                roundTrips.make(() -> {
                    connection.commit();
                    return true;
                });
                return true;
            } catch (SQLException | RuntimeException e) {
                rollBack(connection);
                if (ClickPartition.refused(table, e)) {
                    throw new ClickPartition.Refused((SQLException) e);
                }
                if (e instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                    // rows written around the sequence hold ids it gives: the next attempt draws past them
                    movePastLargestId(connection);
                }
                throw e;
            }
        }
    }

    /** What one COPY sends: its statement, the table to be filled in. */
    private record Copy(String sql, byte[] bytes, int length) {}

    /** The rows' COPY into {@code table}; the number of rows stored. */
    private long copy(Connection connection, String sql, Copy rows) throws SQLException {
        CopyIn copy = roundTrips.make(
                () -> connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql));
        try {
            return roundTrips.make(() -> {
                copy.writeToCopy(rows.bytes(), 0, rows.length());
                return copy.endCopy();
            });
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /**
     * The chunk's rows: narrow once the ids of their texts are known, wide for a click whose texts
     * the dictionary could not take (it stays stored, if less compactly); a legacy chunk's lines as
     * they are. The buffers are the call's own: a COPY that outlived a stop may still read its own.
     */
    private List<Copy> copiesOf(Connection connection, Chunk chunk, byte[] records) throws SQLException {
        if (chunk.legacy()) {
            return List.of(new Copy(ClickCsv.WIDE_COPY, records, chunk.length()));
        }
        List<Click> clicks = ClickRecords.read(records, chunk.length(), chunk.clicks());
        Map<String, Long> ids = roundTrips.make(() -> texts.ids(connection, clicks));
        CopyText narrow = new CopyText(chunk.length());
        List<Click> wide = NarrowRows.write(narrow, clicks, ids);
        if (wide.isEmpty()) {
            return List.of(new Copy(NarrowRows.COPY, narrow.bytes(), narrow.length()));
        }
        log.warn("{} clicks have texts the click_texts dictionary did not take; they are stored wide", wide.size());
        CopyText lines = new CopyText(64);
        wide.forEach(click -> ClickCsv.appendWide(lines, click));
        return List.of(
                new Copy(NarrowRows.COPY, narrow.bytes(), narrow.length()),
                new Copy(ClickCsv.WIDE_COPY, lines.bytes(), lines.length()));
    }

    private static void movePastLargestId(Connection connection) {
        try (Statement move = connection.createStatement()) {
            move.execute(IdSequences.movePastLargest("events"));
            connection.commit();
            log.warn(
                    "A click met an event holding the id its sequence gave; the sequence is moved past the largest id");
        } catch (SQLException e) {
            log.debug("Moving the events id sequence failed: {}", e.toString());
        }
    }

    /** Moves the journal's position past the chunk, tallying {@code tally} clicks; the next id, null if stored before. */
    private @Nullable Long advance(Connection connection, UUID journal, Chunk chunk, long tally) throws SQLException {
        try (PreparedStatement advance = connection.prepareStatement(ADVANCE)) {
            advance.setLong(1, tally);
            advance.setLong(2, chunk.to().segment());
            advance.setLong(3, chunk.to().offset());
            advance.setObject(4, journal);
            advance.setLong(5, chunk.from().segment());
            advance.setLong(6, chunk.from().offset());
            advance.setString(7, Long.toString(copyTimeout.toMillis()));
            try (ResultSet result = roundTrips.make(advance::executeQuery)) {
                return result.next() ? result.getLong(1) : null;
            }
        }
    }

    private Connection connection() throws SQLException {
        return roundTrips.maybe(dataSource::getConnection);
    }

    private static void rollBack(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("Rollback after a failed COPY failed too: {}", e.toString());
        }
    }
}
