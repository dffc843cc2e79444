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
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The click sink in PostgreSQL: the journal's position in {@code click_journals}, and each chunk's
 * COPY into {@code events}, narrow rows whose texts are ids of {@link ClickTexts}, in one transaction
 * with the move of that position, so that no chunk is stored twice; each round trip is timed, for
 * pacing.
 */
final class PostgresClickSink implements ClickSink {

    // logs as the loader, the name operations know its lines by
    private static final Logger log = LoggerFactory.getLogger(ClickLoader.class);

    private static final String REGISTER =
            "INSERT INTO click_journals (id, segment, byte_offset) VALUES (?, 0, 0) ON CONFLICT (id) DO NOTHING";
    private static final String STORED = "SELECT segment, byte_offset FROM click_journals WHERE id = ?";
    // Moves the position and sets the COPY's statement timeout in one round trip; no row when an
    // earlier attempt committed past the chunk's start after all (its answer was lost). The COPY's
    // ids come from the sequence: the click trigger need not wait for a fold (V29).
    private static final String ADVANCE = """
            UPDATE click_journals SET segment = ?, byte_offset = ?, loaded_at = now()
            WHERE id = ? AND (segment, byte_offset) <= (?, ?)
            RETURNING set_config('statement_timeout', ?, true), set_config('shortener.ids_from_sequence', 'on', true)""";
    private static final String RESET = "UPDATE click_journals SET segment = 0, byte_offset = 0 WHERE id = ?";

    private static final String UNIQUE_VIOLATION = "23505";

    /** A round trip slower than this is a network or a server that slowing redirects cannot speed up. */
    private static final long SLOW_ROUND_TRIP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /**
     * Characters of text a sink keeps the ids of (about 32 MB of heap): the short codes and
     * destinations of some 200,000 links and most referrers and agents of a busy day. A text not
     * kept costs the loader a lookup in PostgreSQL (bench/RESULTS.md, redirect history).
     */
    private static final long REMEMBERED_CHARS = 16_000_000;

    private final DataSource dataSource;
    private final Duration copyTimeout;
    private final ClickTexts texts = new ClickTexts(REMEMBERED_CHARS);

    private volatile long roundTripNanos;
    /** {@link System#nanoTime()} at which the round trip under way began; 0 between round trips. */
    private volatile long roundTripSince;

    PostgresClickSink(DataSource dataSource, Duration copyTimeout) {
        this.dataSource = dataSource;
        this.copyTimeout = copyTimeout;
    }

    @Override
    public boolean answersQuickly() {
        long since = roundTripSince;
        return roundTripNanos < SLOW_ROUND_TRIP_NANOS
                && (since == 0 || System.nanoTime() - since < SLOW_ROUND_TRIP_NANOS);
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

    /** The texts' ids first, then the move of the position and the chunk's COPYs, in one transaction. */
    @Override
    public boolean store(UUID journal, Chunk chunk, byte[] records) throws SQLException {
        try (Connection connection = connection()) {
            connection.setNetworkTimeout(
                    Runnable::run, (int) copyTimeout.plusSeconds(1).toMillis());
            List<Copy> copies = copiesOf(connection, chunk, records);
            connection.setAutoCommit(false);
            try {
                if (!advance(connection, journal, chunk)) {
                    connection.rollback();
                    return false;
                }
                for (Copy rows : copies) {
                    copy(connection, rows);
                }
                roundTrip(() -> {
                    connection.commit();
                    return true;
                });
                return true;
            } catch (SQLException | RuntimeException e) {
                rollBack(connection);
                if (e instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                    // rows written around the sequence hold ids it gives: the next attempt draws past them
                    movePastLargestId(connection);
                }
                throw e;
            }
        }
    }

    /** What one COPY sends. */
    private record Copy(String sql, byte[] bytes, int length) {}

    private void copy(Connection connection, Copy rows) throws SQLException {
        CopyIn copy = roundTrip(
                () -> connection.unwrap(PGConnection.class).getCopyAPI().copyIn(rows.sql()));
        try {
            roundTrip(() -> {
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
        Map<String, Long> ids = roundTrip(() -> texts.ids(connection, clicks));
        CopyText narrow = new CopyText(chunk.length());
        CopyText wide = new CopyText(64);
        int wideClicks = 0;
        for (Click click : clicks) {
            if (!ClickCsv.appendNarrow(narrow, click, ids)) {
                ClickCsv.appendWide(wide, click);
                wideClicks++;
            }
        }
        if (wideClicks == 0) {
            return List.of(new Copy(ClickCsv.COPY, narrow.bytes(), narrow.length()));
        }
        log.warn("{} clicks have texts the click_texts dictionary did not take; they are stored wide", wideClicks);
        return List.of(
                new Copy(ClickCsv.COPY, narrow.bytes(), narrow.length()),
                new Copy(ClickCsv.WIDE_COPY, wide.bytes(), wide.length()));
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

    /**
     * A connection from the pool: at once, or after the pool validated an idle one or opened a new
     * one, which are round trips too. Timed as under way, so that a slow network stops pacing then;
     * recorded only when slow, since one handed over at once says nothing of the network.
     */
    private Connection connection() throws SQLException {
        return timed(dataSource::getConnection, false);
    }

    /** A call that waits for PostgreSQL's answer. */
    @FunctionalInterface
    private interface RoundTrip<T> {
        T call() throws SQLException;
    }

    /** Makes one round trip, timing it for {@link #answersQuickly()}. */
    private <T> T roundTrip(RoundTrip<T> call) throws SQLException {
        return timed(call, true);
    }

    /** Runs {@code call} marked as under way; records its time always, or only when it was slow. */
    private <T> T timed(RoundTrip<T> call, boolean recordFast) throws SQLException {
        long start = System.nanoTime();
        roundTripSince = start;
        try {
            return call.call();
        } finally {
            roundTripSince = 0;
            long took = System.nanoTime() - start;
            if (recordFast || took >= SLOW_ROUND_TRIP_NANOS) {
                roundTripNanos = took;
            }
        }
    }

    private boolean advance(Connection connection, UUID journal, Chunk chunk) throws SQLException {
        try (PreparedStatement advance = connection.prepareStatement(ADVANCE)) {
            advance.setLong(1, chunk.to().segment());
            advance.setLong(2, chunk.to().offset());
            advance.setObject(3, journal);
            advance.setLong(4, chunk.from().segment());
            advance.setLong(5, chunk.from().offset());
            advance.setString(6, Long.toString(copyTimeout.toMillis()));
            try (ResultSet result = roundTrip(advance::executeQuery)) {
                return result.next();
            }
        }
    }

    private static void rollBack(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("Rollback after a failed COPY failed too: {}", e.toString());
        }
    }
}
