package dev.shortener.event;

import dev.shortener.event.ClickJournal.Position;
import dev.shortener.event.JournalReader.Chunk;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Loads the click journal into {@code events}, one COPY per chunk of records on a thread of its own.
 * Each COPY moves the journal's position in {@code click_journals} in its own transaction, and only
 * from a position before the chunk's end: a chunk whose COMMIT answer was lost, or that a restarted
 * instance reads again, is skipped rather than stored twice. A failure waits a growing pause and
 * tries again, for as long as it takes: the clicks stay in the journal meanwhile.
 */
final class ClickLoader {

    private static final Logger log = LoggerFactory.getLogger(ClickLoader.class);

    private static final String REGISTER =
            "INSERT INTO click_journals (id, segment, byte_offset) VALUES (?, 0, 0) ON CONFLICT (id) DO NOTHING";
    private static final String STORED = "SELECT segment, byte_offset FROM click_journals WHERE id = ?";
    // Moves the position and sets the COPY's statement timeout in one round trip; no row when an
    // earlier attempt committed past the chunk's start after all (its answer was lost).
    private static final String ADVANCE = """
            UPDATE click_journals SET segment = ?, byte_offset = ?, loaded_at = now()
            WHERE id = ? AND (segment, byte_offset) <= (?, ?)
            RETURNING set_config('statement_timeout', ?, true)""";
    private static final String RESET = "UPDATE click_journals SET segment = 0, byte_offset = 0 WHERE id = ?";

    /** A round trip slower than this is a network or a server that slowing redirects cannot speed up. */
    private static final long SLOW_ROUND_TRIP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final DataSource dataSource;
    private final ClickJournal journal;
    private final ClickSettings settings;
    private final ClickMetrics metrics;
    private final ExponentialBackOff backOff;
    private final JournalReader reader;
    private final PendingClicks pending;

    private final ReentrantLock progressLock = new ReentrantLock();
    private final Condition progressed = progressLock.newCondition();

    private volatile @Nullable Position loaded;
    private volatile boolean healthy = true;
    private volatile long roundTripNanos;
    /** {@link System#nanoTime()} at which the round trip under way began; 0 between round trips. */
    private volatile long roundTripSince;

    private volatile boolean running;
    private volatile boolean draining;
    private volatile long drainDeadline;
    private volatile @Nullable Thread thread;
    /** Guarded by {@code this}: the loading thread has ended; the journal is to be closed when it does. */
    private boolean finished;

    private boolean closeWhenFinished;

    ClickLoader(
            DataSource dataSource,
            ClickJournal journal,
            ClickSettings settings,
            ClickMetrics metrics,
            PendingClicks pending) {
        this.dataSource = dataSource;
        this.pending = pending;
        this.journal = journal;
        this.settings = settings;
        this.metrics = metrics;
        this.backOff = new ExponentialBackOff(settings.retryBackoff().toMillis(), 2);
        this.backOff.setMaxInterval(settings.retryBackoffMax().toMillis());
        this.reader = new JournalReader(journal, settings.batchSize() * ClickCsv.LINE_BYTES);
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform().name("click-loader").daemon().start(this::loadLoop);
    }

    /**
     * Whether slowing redirects may help this loader catch up: its latest attempt succeeded, and
     * PostgreSQL answers its round trips quickly (the latest one, and the one under way so far).
     * While PostgreSQL takes nothing, or is behind a slow network, the loader waits on something
     * redirects do not compete with.
     */
    boolean paceable() {
        long since = roundTripSince;
        return healthy
                && roundTripNanos < SLOW_ROUND_TRIP_NANOS
                && (since == 0 || System.nanoTime() - since < SLOW_ROUND_TRIP_NANOS);
    }

    /** Asks the loader to look at the journal now rather than at its next turn. */
    void nudge() {
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
    }

    /** Waits until everything before {@code target} is in PostgreSQL; false when {@code timeout} passed first. */
    boolean awaitLoaded(Position target, Duration timeout) {
        long left = timeout.toNanos();
        nudge();
        progressLock.lock();
        try {
            while (!caughtUpWith(target)) {
                if (left <= 0 || !running) {
                    return false;
                }
                left = progressed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            progressLock.unlock();
        }
    }

    private boolean caughtUpWith(Position target) {
        Position at = loaded;
        return at != null && at.compareTo(target) >= 0;
    }

    /** Whether the loading thread is still at work (a COPY that outlived the stop's wait). */
    boolean alive() {
        Thread current = thread;
        return current != null && current.isAlive();
    }

    /** Loads what the journal holds until it is all in PostgreSQL or {@code timeout} passes; then stops. */
    boolean drainAndStop(Duration timeout) {
        drainDeadline = System.nanoTime() + timeout.toNanos();
        draining = true;
        Position end = journal.synced();
        boolean drained = awaitLoaded(end, timeout);
        running = false;
        Thread current = thread;
        if (current != null) {
            // ends a wait for a connection or a pause between attempts; a COPY under way is not
            // interrupted (socket reads are not), and keeps the journal locked (see ClickRecorder.stop)
            current.interrupt();
            try {
                current.join(Duration.ofNanos(Math.max(100_000_000, drainDeadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return drained;
    }

    /**
     * Closes the journal, freeing its slot for the next instance: now, or when the loading thread
     * ends if a COPY outlived the stop (it ends at the latest at its statement and network timeout).
     */
    synchronized void closeJournal() throws IOException {
        if (finished || thread == null) {
            journal.close();
        } else {
            closeWhenFinished = true;
        }
    }

    private synchronized void finished() {
        finished = true;
        if (closeWhenFinished) {
            try {
                journal.close();
            } catch (IOException e) {
                log.error("Closing the click journal failed: {}", e.toString());
            }
        }
    }

    private void loadLoop() {
        try {
            loadWhileRunning();
        } finally {
            finished();
        }
    }

    private void loadWhileRunning() {
        BackOffExecution failing = null;
        while (running) {
            try {
                if (!loadOnce()) {
                    LockSupport.parkNanos(this, settings.flushInterval().toNanos());
                }
                if (failing != null) {
                    log.info("Loading clicks into PostgreSQL works again");
                    failing = null;
                }
                healthy = true;
            } catch (SQLException | IOException | RuntimeException e) {
                healthy = false;
                metrics.loadFailed();
                if (failing == null) {
                    failing = backOff.start();
                    log.warn(
                            "Loading clicks into PostgreSQL failed; they wait in the journal {}: {}",
                            journal.directory(),
                            e.toString());
                } else {
                    log.debug("Loading clicks failed again: {}", e.toString());
                }
                long pause = failing.nextBackOff();
                if (draining) {
                    pause = Math.min(pause, TimeUnit.NANOSECONDS.toMillis(drainDeadline - System.nanoTime()));
                }
                if (pause > 0) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(pause));
                }
            }
        }
    }

    /** Loads one chunk; false when the journal held nothing more to load. */
    private boolean loadOnce() throws SQLException, IOException {
        Position from = loaded;
        if (from == null) {
            from = journal.start(storedPosition());
            journal.deleteBefore(from.segment());
            progress(from);
        }
        Chunk chunk = reader.read(from, settings.batchSize());
        if (chunk.torn()) {
            metrics.tornRecord();
            log.warn(
                    "Skipped a damaged record at the end of segment {} of the click journal {} (a crash while writing it)",
                    from.segment(),
                    journal.directory());
            progress(chunk.to());
            return true;
        }
        if (chunk.clicks() == 0) {
            boolean moved = !chunk.to().equals(from);
            progress(chunk.to());
            return moved;
        }
        boolean own = chunk.from().segment() >= journal.firstSegment();
        if (!copy(chunk)) {
            // an earlier attempt committed after all: go on from where it ended, and count it if it
            // was this very chunk (a chunk that grew since is counted from its next part on)
            Position stored = storedPosition();
            if (stored.equals(chunk.to())) {
                metrics.loaded(chunk.clicks(), chunk.firstMillis(), own);
            }
            progress(journal.start(stored));
            return true;
        }
        metrics.loaded(chunk.clicks(), chunk.firstMillis(), own);
        progress(chunk.to());
        journal.deleteBefore(chunk.to().segment());
        return true;
    }

    private void progress(Position to) {
        progressLock.lock();
        try {
            loaded = to;
            progressed.signalAll();
        } finally {
            progressLock.unlock();
        }
        pending.stored(to);
    }

    private Position storedPosition() throws SQLException {
        try (Connection connection = connection()) {
            try (PreparedStatement register = connection.prepareStatement(REGISTER)) {
                register.setObject(1, journal.id());
                register.executeUpdate();
            }
            Position position;
            try (PreparedStatement stored = connection.prepareStatement(STORED)) {
                stored.setObject(1, journal.id());
                try (ResultSet row = stored.executeQuery()) {
                    row.next();
                    position = new Position(row.getLong(1), row.getLong(2));
                }
            }
            if (position.compareTo(journal.synced()) > 0) {
                // past anything this journal has synced: its files were lost, and what it holds now is new
                log.error(
                        "The click journal {} lost segments that PostgreSQL had loaded up to {}; loading it from its start",
                        journal.directory(),
                        position);
                try (PreparedStatement reset = connection.prepareStatement(RESET)) {
                    reset.setObject(1, journal.id());
                    reset.executeUpdate();
                }
                position = new Position(0, 0);
            }
            return position;
        }
    }

    /**
     * One COPY and the position after it, in one transaction; false when the stored position is past
     * the chunk's start.
     */
    private boolean copy(Chunk chunk) throws SQLException {
        try (Connection connection = connection()) {
            connection.setNetworkTimeout(
                    Runnable::run, (int) settings.copyTimeout().plusSeconds(1).toMillis());
            connection.setAutoCommit(false);
            try {
                if (!advance(connection, chunk)) {
                    connection.rollback();
                    return false;
                }
                CopyIn copy = roundTrip(
                        () -> connection.unwrap(PGConnection.class).getCopyAPI().copyIn(ClickCsv.COPY));
                try {
                    roundTrip(() -> {
                        copy.writeToCopy(reader.bytes(), 0, chunk.length());
                        return copy.endCopy();
                    });
                } finally {
                    if (copy.isActive()) {
                        copy.cancelCopy();
                    }
                }
                roundTrip(() -> {
                    connection.commit();
                    return true;
                });
                return true;
            } catch (SQLException | RuntimeException e) {
                rollBack(connection);
                throw e;
            }
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

    /** Makes one round trip, timing it for {@link #paceable()}. */
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

    private boolean advance(Connection connection, Chunk chunk) throws SQLException {
        try (PreparedStatement advance = connection.prepareStatement(ADVANCE)) {
            advance.setLong(1, chunk.to().segment());
            advance.setLong(2, chunk.to().offset());
            advance.setObject(3, journal.id());
            advance.setLong(4, chunk.from().segment());
            advance.setLong(5, chunk.from().offset());
            advance.setString(6, Long.toString(settings.copyTimeout().toMillis()));
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
